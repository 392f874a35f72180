"""`/docs` and `/redoc` of every service work without the internet: the pages name no external
URL and every asset they name is served by the service itself."""

from __future__ import annotations

import base64
import os
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from access.signing import write_keys

SERVICES = ["cases", "referrals", "vouchers", "indicators"]
_REFERENCE = re.compile(r"""(?:src|href)=["']([^"']+)["']|url:\s*["']([^"']+)["']""")


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, jwks = write_keys(tmp_path)
    monkeypatch.setenv("PANA_AUTH_JWKS_PATH", str(jwks))
    for key in ("MASTER_KEY", "BLIND_INDEX_KEY"):
        monkeypatch.setenv(f"PANA_PERSONAL_DATA_{key}", base64.b64encode(os.urandom(32)).decode())


@pytest.mark.usefixtures("environment")
@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_page_loads_only_local_assets(service: str, page: str) -> None:
    module = __import__(f"services.{service}.app", fromlist=["create_app"])
    client = TestClient(module.create_app())  # no lifespan: no database or Kafka needed
    answer = client.get(page)
    assert answer.status_code == 200
    html = answer.text
    assert "http://" not in html and "https://" not in html, html
    references = [a or b for a, b in _REFERENCE.findall(html)]
    assets = [r for r in references if r.startswith("/docs-assets/")]
    assert assets, html  # the bundle (and the stylesheet) are named
    for reference in references:
        assert reference.startswith("/"), reference
        assert client.get(reference).status_code == 200, reference
    if page == "/docs":
        assert '"validatorUrl": null' in html  # no badge fetched from swagger.io
