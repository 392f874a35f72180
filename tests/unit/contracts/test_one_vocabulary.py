"""One vocabulary: a field that two services accept takes the same list of values in both.

Read from what each service publishes as its contract (its OpenAPI document): every property or
query parameter with an enumerated list, by name. A shared list lives once, in `contracts/`.
"""

from __future__ import annotations

import base64
import importlib
import os
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest

from access.signing import write_keys

SERVICES = ("cases", "referrals", "vouchers", "indicators")

NOT_THE_SAME_THING = {
    "channel": "cases: how outreach reached people; referrals: how a request was sent",
    "outcome": "cases: a livelihood result; referrals: what the receiving service did",
    "reason": "each aggregate's own reasons (closing a case, rejecting a referral, ...)",
    "status": "each aggregate's own lifecycle",
}
"""Field names that mean different things in different services (each its own list)."""


@pytest.fixture(scope="module")
def accepted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, frozenset[str]]]:
    """field name -> service -> the values it accepts there."""
    _, jwks = write_keys(tmp_path_factory.mktemp("issuer"))
    env = {
        "PANA_AUTH_JWKS_PATH": str(jwks),
        "PANA_PERSONAL_DATA_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
        "PANA_PERSONAL_DATA_BLIND_INDEX_KEY": base64.b64encode(os.urandom(32)).decode(),
    }
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for service in SERVICES:
            document = importlib.import_module(f"services.{service}.app").create_app().openapi()
            for field, values in _enumerations(document):
                found[field][service] |= values
    return {f: {s: frozenset(v) for s, v in by.items()} for f, by in found.items()}


def _enumerations(document: dict[str, Any]) -> Iterator[tuple[str, set[str]]]:
    schemas = document.get("components", {}).get("schemas", {})
    seen: set[tuple[str, str]] = set()

    def walk(node: Any, field: str | None) -> Iterator[tuple[str, set[str]]]:
        if not isinstance(node, dict):
            return
        if ref := node.get("$ref"):
            name = ref.rsplit("/", 1)[-1]
            if (name, field or "") not in seen:
                seen.add((name, field or ""))
                yield from walk(schemas[name], field)
            return
        if field and "enum" in node:
            yield field, {str(v) for v in node["enum"]}
        for name, child in node.get("properties", {}).items():
            yield from walk(child, name)
        for key in ("items", "additionalProperties"):
            yield from walk(node.get(key), field)
        for key in ("anyOf", "oneOf", "allOf"):
            for child in node.get(key, []):
                yield from walk(child, field)

    for schema in schemas.values():
        yield from walk(schema, None)
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                yield from walk(parameter.get("schema"), parameter["name"])


def test_a_field_two_services_accept_takes_one_list_of_values(
    accepted: dict[str, dict[str, frozenset[str]]],
) -> None:
    shared = {field: by for field, by in accepted.items() if len(by) > 1}
    assert {"document_type", "region", "sex"} <= set(shared)  # the walk finds shared fields
    differing = {
        field: {service: sorted(values) for service, values in by.items()}
        for field, by in shared.items()
        if len(set(by.values())) > 1 and field not in NOT_THE_SAME_THING
    }
    assert differing == {}


def test_the_document_types_are_the_contracts_list(
    accepted: dict[str, dict[str, frozenset[str]]],
) -> None:
    from tests.support.peru import DocumentType  # the program file's (test_peru_codes.py)

    assert accepted["document_type"] == {
        "cases": frozenset(DocumentType),
        "referrals": frozenset(DocumentType),
    }


def test_every_name_said_to_differ_still_differs(
    accepted: dict[str, dict[str, frozenset[str]]],
) -> None:
    for field in NOT_THE_SAME_THING:  # the exemption list stays as short as the truth
        assert len(set(accepted[field].values())) > 1, field
