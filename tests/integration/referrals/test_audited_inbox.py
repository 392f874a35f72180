"""A unit's referral inbox is audited when read, and another unit's refused read too (issue 20,
point 6)."""

from __future__ import annotations

import pytest

from tests.integration.referrals.flows import add_unit, refer
from tests.support.audit import audit_fetch
from tests.support.services import RunningService

pytestmark = pytest.mark.integration


async def test_reading_an_inbox_is_audited_and_a_refused_one_too(
    referrals: RunningService,
) -> None:
    cem = await add_unit(referrals, "CEM Tumbes")
    sis = await add_unit(referrals, "UDR SIS Tumbes", destination="SIS")
    await refer(referrals, cem)
    as_cem = referrals.client("receiving_service", org="cem", unit_id=cem, sub="cem-desk")
    assert (await as_cem.get(f"/units/{cem}/referrals")).status_code == 200
    assert (await as_cem.get(f"/units/{sis}/referrals")).status_code == 403
    records = await audit_fetch(
        referrals.app.state.pool,
        "SELECT action, resource_type, resource_id, outcome FROM audit_log"
        " WHERE actor_subject = 'cem-desk' ORDER BY sequence",
    )
    assert [tuple(r) for r in records] == [
        ("referral.list_own", "unit", cem, "done"),
        ("referral.list_own", "unit", sis, "denied"),
    ]


async def test_who_read_a_referral(referrals: RunningService) -> None:
    cem = await add_unit(referrals, "CEM Tumbes")
    referral = await refer(referrals, cem)
    as_cem = referrals.client("receiving_service", org="cem", unit_id=cem, sub="cem-reader")
    path = f"/units/{cem}/referrals/{referral['referral_id']}"
    assert (await as_cem.get(path)).status_code == 200
    query = {"resource_type": "referral", "resource_id": referral["referral_id"]}
    for client in (referrals.client("administrator"),
                   referrals.client("supervisor", regions=["tumbes"])):  # fmt: skip
        answer = await client.get("/audit", params=query)
        assert answer.status_code == 200, answer.text
        seen = {(r["actor_subject"], r["action"]) for r in answer.json()["records"]}
        assert ("cem-reader", "referral.read_shared") in seen
    other = referrals.client("supervisor", regions=["piura"])
    assert (await other.get("/audit", params=query)).status_code == 403
