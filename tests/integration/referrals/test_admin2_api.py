"""A referral's province through the running referrals service: stored in the request and
repeated on its completion when inside the referral's region, a clear 422 when the program has
no such province or it lies elsewhere."""

from __future__ import annotations

import uuid

import pytest

from tests.integration.referrals.flows import add_unit, give_consent, refer, referral_body
from tests.support.services import RunningService

pytestmark = pytest.mark.integration


async def test_a_province_is_stored_repeated_or_refused_with_a_clear_422(
    referrals: RunningService,
) -> None:
    cem = await add_unit(referrals, "CEM Zarumilla")
    referral = await refer(referrals, cem, admin2="tumbes_zarumilla")
    unit = referrals.client("receiving_service", org="cem", unit_id=cem)
    base = f"/units/{cem}/referrals/{referral['referral_id']}"
    assert (await unit.post(f"{base}/accept")).status_code == 200
    done = await unit.post(f"{base}/complete", json={"outcome": "attended"})
    assert done.status_code == 200, done.text

    participant = str(uuid.uuid4())
    await give_consent(referrals, participant)
    caseworker = referrals.client("caseworker", regions=["tumbes"])
    unknown = await caseworker.post(
        "/referrals", json=referral_body(cem, participant, admin2="atlantis")
    )
    elsewhere = await caseworker.post(
        "/referrals", json=referral_body(cem, participant, admin2="piura_paita")
    )

    assert unknown.status_code == 422
    (error,) = unknown.json()["detail"]
    assert error["loc"][-1] == "admin2" and "unknown admin2 code 'atlantis'" in error["msg"]
    assert elsewhere.status_code == 422
    assert elsewhere.json()["detail"]["rule"] == "admin2_outside_region"
    stored = await referrals.app.state.pool.fetch(
        "SELECT event_type, data->>'admin2' AS admin2 FROM events ORDER BY position"
    )
    assert [(r["event_type"], r["admin2"]) for r in stored] == [
        ("referral.requested", "tumbes_zarumilla"),
        ("referral.accepted", None),
        ("referral.completed", "tumbes_zarumilla"),
    ]
