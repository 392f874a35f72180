"""A participant code typed wrong, in the search or as the record a duplicate merges into, is said
plainly in the person's language and nothing is sent (it was a server error)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.unit.web.signed_in import sign_in, web_app
from web import i18n

PERSON = "0b0c5c2e-3a57-4a4e-9f6f-1f4f3a2b9c10"


class Untouched:
    """Services that must not be called."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def call(self, token: str, service: str, method: str, path: str, **sent: Any) -> Any:
        self.calls.append(f"{method} {path}")
        return {}


@pytest.fixture
def client() -> Iterator[TestClient]:
    with web_app(Untouched()) as client:
        yield client


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_mistyped_code_in_the_search_is_said_plainly(client: TestClient, language: str) -> None:
    csrf = sign_in(client, language)
    answer = client.post("/personas/buscar", data={"csrf": csrf, "code": "0b0c5c2e-3a57"})

    assert answer.status_code == 422
    assert i18n.translate(language, "search.bad_code") in answer.text
    assert client.app.state.services.calls == []  # type: ignore[attr-defined]


def test_a_good_code_opens_the_record(client: TestClient) -> None:
    csrf = sign_in(client)
    answer = client.post(
        "/personas/buscar", data={"csrf": csrf, "code": f" {PERSON} "}, follow_redirects=False
    )
    assert (answer.status_code, answer.headers["location"]) == (303, f"/personas/{PERSON}")


def test_a_mistyped_record_to_merge_into_is_said_plainly(client: TestClient) -> None:
    csrf = sign_in(client)
    form = {"csrf": csrf, "key": "k", "into": "not-a-code", "reason": "duplicate_registration",
            "version": "3"}  # fmt: skip
    answer = client.post(f"/personas/{PERSON}/fusion", data=form)

    assert answer.status_code == 422
    assert i18n.translate("es", "search.bad_code") in answer.text
    assert f'href="/personas/{PERSON}"' in answer.text  # the way back to the record
    assert client.app.state.services.calls == []  # type: ignore[attr-defined]
