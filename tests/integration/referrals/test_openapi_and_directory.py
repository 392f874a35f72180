"""The API describes itself with an example for every request body; the directory is
administered."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.integration.referrals.flows import add_unit
from tests.support.services import RunningService

pytestmark = pytest.mark.integration


async def test_every_request_body_has_an_example(referrals: RunningService) -> None:
    spec: dict[str, Any] = (await referrals.client("viewer").get("/openapi.json")).json()
    schemas = spec["components"]["schemas"]
    bodies = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if "requestBody" not in operation:
                continue
            ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            name = ref.rsplit("/", 1)[-1]
            bodies.append(name)
            assert schemas[name].get("examples"), f"{method.upper()} {path}: {name} has no example"
    assert {"ReferralRequest", "RejectRequest", "CompleteRequest", "CancelRequest",
            "RecordedAccept", "UnitRequest", "UnitChange"} <= set(bodies)  # fmt: skip


async def test_only_administrators_manage_the_directory(referrals: RunningService) -> None:
    unit = await add_unit(referrals, "CSMC Villa El Salvador", "CSMC", "lima_callao")
    caseworker = referrals.client("caseworker", regions=["lima_callao"])
    listed = await caseworker.get("/units", params={"region": "lima_callao"})
    assert [u["name"] for u in listed.json()] == ["CSMC Villa El Salvador"]
    assert listed.json()[0]["handover_contact"]["office"] == "Admisión CSMC Villa El Salvador"
    denied = await caseworker.post("/units", json={})
    assert denied.status_code in (403, 422)
    assert (await caseworker.patch(f"/units/{unit}", json={"active": False})).status_code == 403

    admin = referrals.client("administrator")
    closed = await admin.patch(f"/units/{unit}", json={"active": False})
    assert closed.json()["active"] is False
    twice = await admin.post(
        "/units",
        json={"name": "CSMC Villa El Salvador", "destination": "CSMC", "region": "lima_callao",
              "handover_contact": {"office": "x1"}, "has_system_account": True},
    )  # fmt: skip
    assert twice.status_code == 409


async def test_the_unit_directory_and_its_contacts_are_read_only_by_who_refers_or_keeps_it(
    referrals: RunningService,
) -> None:
    await add_unit(referrals, "CEM Tumbes", "CEM", "tumbes")
    readers = {
        "caseworker": {"regions": ["tumbes"]},
        "supervisor": {"regions": ["piura"]},
        "administrator": {},
    }
    others = {
        "me_officer": {},
        "viewer": {},
        "clinic": {"provider_id": "prov-1"},
        "receiving_service": {"unit_id": "cem-1"},
    }
    for role, claims in (readers | others).items():
        answer = await referrals.client(role, **claims).get("/units")
        assert answer.status_code == (200 if role in readers else 403), (role, answer.text)
        if role in others:
            assert answer.json()["detail"] == f"role {role} may not directory.read_units"


async def test_a_period_no_person_means_is_422_not_a_server_error(
    referrals: RunningService,
) -> None:
    answer = await referrals.client("me_officer").get(
        "/metrics/time-to-answer", params={"to": "0001-01-01T00:00:00Z"}
    )
    assert answer.status_code == 422, answer.text


async def test_an_administrator_renames_a_unit_but_not_to_a_name_its_region_has(
    referrals: RunningService,
) -> None:
    tag = uuid.uuid4().hex[:6]  # names unique in this database, whatever ran before
    unit = await add_unit(referrals, f"CEM Piura {tag}", "CEM", "piura")
    other = await add_unit(referrals, f"CEM Castilla {tag}", "CEM", "piura")
    await add_unit(referrals, f"CEM Sullana {tag}", "CEM", "tumbes")
    admin = referrals.client("administrator")
    taken = await admin.patch(f"/units/{unit}", json={"name": f"CEM Castilla {tag}"})
    assert taken.status_code == 409 and f"CEM Castilla {tag}" in taken.text
    renamed = await admin.patch(f"/units/{unit}", json={"name": f"CEM Sullana {tag}"})
    assert renamed.status_code == 200, renamed.text  # the same name in another region is fine
    assert (renamed.json()["name"], renamed.json()["region"]) == (f"CEM Sullana {tag}", "piura")
    listed = {
        u["unit_id"]: u for u in (await admin.get("/units", params={"region": "piura"})).json()
    }
    assert (listed[unit]["name"], listed[other]["name"]) == (
        f"CEM Sullana {tag}", f"CEM Castilla {tag}")  # fmt: skip
    assert listed[unit]["handover_contact"]["office"] == f"Admisión CEM Piura {tag}"
    assert listed[unit]["active"] is True  # a rename changes the name only
