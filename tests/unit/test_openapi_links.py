"""OpenAPI links: written where the document says, refused when they name no operation, and
present in the services' documents so schemathesis' stateful mode can follow them."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

import pytest
import schemathesis

from access.signing import write_keys
from eventkit.openapi_links import Link, add_links


def _document() -> dict[str, Any]:
    return {
        "paths": {
            "/things": {"post": {"operationId": "make", "responses": {"201": {}}}},
            "/things/{thing_id}": {"get": {"operationId": "read", "responses": {"200": {}}}},
        }
    }


def test_a_link_is_written_on_the_source_answer() -> None:
    document = _document()
    thing = {"thing_id": "$response.body#/thing_id"}
    add_links(document, [Link("Read", ("POST", "/things"), ("GET", "/things/{thing_id}"), thing)])
    assert document["paths"]["/things"]["post"]["responses"]["201"]["links"] == {
        "Read": {"operationId": "read", "parameters": thing}
    }


def test_a_link_to_an_operation_that_does_not_exist_is_refused() -> None:
    with pytest.raises(ValueError, match="GET /nothing"):
        add_links(_document(), [Link("Lost", ("POST", "/things"), ("GET", "/nothing"))])


@pytest.mark.parametrize(
    ("service", "source", "expected"),
    [
        ("cases", ("/participants", "post", "201"), {"ReadParticipant", "OpenCase"}),
        ("cases", ("/cases", "post", "201"), {"DeliverService", "AddNote"}),
        ("vouchers", ("/vouchers", "post", "201"), {"LookUpVoucher", "RedeemVoucher"}),
        ("referrals", ("/referrals", "post", "201"), {"UnitAccepts", "RecordAccept"}),
    ],
)
def test_the_services_documents_link_their_operations(
    service: str,
    source: tuple[str, str, str],
    expected: set[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, jwks = write_keys(tmp_path)
    monkeypatch.setenv("PANA_AUTH_JWKS_PATH", str(jwks))
    for key in ("MASTER_KEY", "BLIND_INDEX_KEY"):
        monkeypatch.setenv(f"PANA_PERSONAL_DATA_{key}", base64.b64encode(os.urandom(32)).decode())
    module = __import__(f"services.{service}.app", fromlist=["create_app"])
    document = module.create_app().openapi()
    path, method, status = source
    links = document["paths"][path][method]["responses"][status]["links"]
    assert expected <= set(links)
    schemathesis.openapi.from_dict(document).as_state_machine()  # every link resolves
