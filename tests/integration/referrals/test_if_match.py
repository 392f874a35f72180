"""A referral read carries its version (ETag); an answer or cancellation sent with `If-Match`
lands only on that version: a stale one is 409 with the version now, a malformed one 422."""

from __future__ import annotations

import pytest

from tests.integration.referrals.flows import add_unit, refer
from tests.support.services import RunningService

pytestmark = pytest.mark.integration


async def test_answers_and_cancellations_honour_if_match(referrals: RunningService) -> None:
    cem = await add_unit(referrals, "CEM Tumbes If-Match")
    referral = await refer(referrals, cem)
    referral_id = referral["referral_id"]
    caseworker = referrals.client("caseworker", regions=["tumbes"])
    unit = referrals.client("receiving_service", org="mimp", unit_id=cem)
    base = f"/units/{cem}/referrals/{referral_id}"

    read = await caseworker.get(f"/referrals/{referral_id}")
    assert read.headers["ETag"] == '"1"' and read.json()["version"] == 1

    stale = await unit.post(f"{base}/accept", headers={"If-Match": '"2"'})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 1
    malformed = await unit.post(f"{base}/accept", headers={"If-Match": "one"})
    assert malformed.status_code == 422
    assert malformed.json()["detail"]["rule"] == "invalid_if_match"

    accepted = await unit.post(f"{base}/accept", headers={"If-Match": read.headers["ETag"]})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["version"] == 2
    assert (await caseworker.get(f"/referrals/{referral_id}")).headers["ETag"] == '"2"'

    cancel = f"/referrals/{referral_id}/cancel"
    body = {"reason": "need_met_otherwise"}
    late = await caseworker.post(cancel, json=body, headers={"If-Match": '"1"'})
    assert late.status_code == 409 and late.json()["current_version"] == 2
    done = await caseworker.post(cancel, json=body, headers={"If-Match": 'W/"2"'})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "cancelled"

    pool = referrals.app.state.pool
    types = await pool.fetch(
        "SELECT event_type FROM events WHERE stream_id = $1 ORDER BY stream_version", referral_id
    )
    assert [r["event_type"] for r in types] == [
        "referral.requested", "referral.accepted", "referral.cancelled",
    ]  # fmt: skip


async def test_a_unit_rejects_and_completes_only_at_the_version_it_read(
    referrals: RunningService,
) -> None:
    cem = await add_unit(referrals, "CEM Tumbes If-Match 2")
    referral_id = (await refer(referrals, cem))["referral_id"]
    unit = referrals.client("receiving_service", org="mimp", unit_id=cem)
    base = f"/units/{cem}/referrals/{referral_id}"
    assert (await unit.post(f"{base}/accept", headers={"If-Match": '"1"'})).status_code == 200
    outcome = {"outcome": "attended"}
    stale = await unit.post(f"{base}/complete", json=outcome, headers={"If-Match": '"1"'})
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    reject = await unit.post(f"{base}/reject", json={"reason": "no_capacity"},
                             headers={"If-Match": '"1"'})  # fmt: skip
    assert reject.status_code == 409 and reject.json()["current_version"] == 2
    done = await unit.post(f"{base}/complete", json=outcome, headers={"If-Match": '"2"'})
    assert done.status_code == 200 and done.json()["version"] == 3
