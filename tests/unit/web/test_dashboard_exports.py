"""The donor exports pass through the web app with the person's token: the file as the indicators
service made it, or its refusal said as every refusal is (never the service's raw JSON)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.unit.web.signed_in import sign_in, web_app
from web import i18n


class Indicators:
    """The indicators service: a CSV for the demo logframe, a refusal (by rule) for any other."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, dict[str, Any]]] = []

    async def raw(self, token: str, service: str, method: str, path: str, **sent: Any) -> Any:
        self.asked.append((path, sent.get("params") or {}))
        if sent.get("params", {}).get("logframe") == "demo":
            headers = {"content-disposition": 'attachment; filename="demo.csv"'}
            return httpx.Response(200, content=b"indicator,value\nOE2.7,3\n", headers=headers)
        detail = {"rule": "version_mismatch", "message": "expected version 2, found 3"}
        return httpx.Response(409, json={"detail": detail})


@pytest.fixture
def client() -> Iterator[TestClient]:
    with web_app(Indicators()) as client:
        sign_in(client)
        yield client


def test_the_file_is_the_services_own(client: TestClient) -> None:
    answer = client.get("/tablero/export.csv", params={"logframe": "demo"})

    assert answer.status_code == 200
    assert answer.content == b"indicator,value\nOE2.7,3\n"
    assert answer.headers["content-disposition"] == 'attachment; filename="demo.csv"'
    services = client.app.state.services  # type: ignore[attr-defined]
    assert services.asked[0][1] == {"logframe": "demo"}


def test_a_refused_export_is_said_in_the_page_s_language(client: TestClient) -> None:
    answer = client.get("/tablero/export.xlsx", params={"logframe": "other"})

    assert answer.status_code == 409
    assert i18n.translate("es", "rule.version_mismatch") in answer.text
    assert "detail" not in answer.text and 'href="/tablero"' in answer.text
