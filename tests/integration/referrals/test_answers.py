"""Answers over HTTP: the state machine enforced (409 naming the state), cancellation, retries,
and a caseworker recording the answer of a unit without a system account, with evidence."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.integration.referrals.conftest import ManualClock
from tests.integration.referrals.flows import add_unit, refer
from tests.support.audit import audit_count
from tests.support.services import RunningService

pytestmark = pytest.mark.integration


async def test_accept_complete_and_illegal_transitions(referrals: RunningService) -> None:
    sis = await add_unit(referrals, "UDR SIS Tumbes", destination="SIS")
    referral = await refer(
        referrals, sis, reason="health_insurance_affiliation", assistance_type="health_insurance",
        shared={"document_type": "cpp", "document_number": "CPP123456", "pregnant": True},
    )  # fmt: skip
    unit = referrals.client("receiving_service", org="sis", unit_id=sis)
    base = f"/units/{sis}/referrals/{referral['referral_id']}"

    early = await unit.post(f"{base}/complete", json={"outcome": "sis_affiliation_done"})
    assert early.status_code == 409
    assert early.json()["detail"]["rule"] == "illegal_transition"
    assert "the referral is requested" in early.json()["detail"]["message"]

    retry = {"Idempotency-Key": "sis-accept-0001"}
    first = await unit.post(f"{base}/accept", headers=retry)
    again = await unit.post(f"{base}/accept", headers=retry)
    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    done = await unit.post(f"{base}/complete", json={"outcome": "sis_affiliation_done"})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "completed"

    late = await unit.post(f"{base}/accept")
    assert late.status_code == 409
    assert "the referral is completed" in late.json()["detail"]["message"]
    caseworker = referrals.client("caseworker", regions=["tumbes"])
    cancel = await caseworker.post(
        f"/referrals/{referral['referral_id']}/cancel", json={"reason": "need_met_otherwise"}
    )
    assert cancel.status_code == 409
    assert "the referral is completed" in cancel.json()["detail"]["message"]

    pool = referrals.app.state.pool
    types = await pool.fetch("SELECT event_type, data FROM events ORDER BY position")
    assert [r["event_type"] for r in types] == [
        "referral.requested", "referral.accepted", "referral.completed",
    ]  # fmt: skip
    assert types[0]["data"]["destination"] == "SIS"
    assert types[2]["data"]["outcome"] == "sis_affiliation_done"


async def test_the_referring_team_cancels_and_a_unit_rejects_with_a_reason(
    referrals: RunningService,
) -> None:
    cem = await add_unit(referrals, "CEM Tumbes")
    first, second = await refer(referrals, cem), await refer(referrals, cem)
    caseworker = referrals.client("caseworker", regions=["tumbes"])
    cancelled = await caseworker.post(
        f"/referrals/{first['referral_id']}/cancel", json={"reason": "participant_declined"}
    )
    assert cancelled.json()["status"] == "cancelled"
    unit = referrals.client("receiving_service", org="mimp", unit_id=cem)
    rejected = await unit.post(
        f"/units/{cem}/referrals/{second['referral_id']}/reject", json={"reason": "no_capacity"}
    )
    assert rejected.json()["status"] == "rejected"
    seen = await caseworker.get(f"/referrals/{second['referral_id']}")
    assert seen.json()["rejection_reason"] == "no_capacity"
    assert seen.json()["answer_channel"] == "api"


async def test_a_caseworker_records_the_answer_of_a_unit_without_a_system_account(
    referrals: RunningService, clock: ManualClock
) -> None:
    offline = await add_unit(
        referrals, "DEMUNA-UPE Tumbes", destination="UPE", has_system_account=False
    )
    online = await add_unit(referrals, "CEM Tumbes")
    referral = await refer(
        referrals, offline, reason="child_protection", assistance_type="protection",
        shared={"full_name": "Niña Ejemplo", "age_group": "childhood", "sex": "woman"},
    )  # fmt: skip
    answered_at = clock.now + timedelta(hours=3)
    clock.advance(hours=5)
    caseworker = referrals.client("caseworker", regions=["tumbes"])
    evidence = {"answerer_role": "focal_point", "channel": "phone",
                "answered_at": answered_at.isoformat()}  # fmt: skip
    recorded = await caseworker.post(
        f"/referrals/{referral['referral_id']}/accept", json={"evidence": evidence}
    )
    assert recorded.status_code == 200, recorded.text
    seen = (await caseworker.get(f"/referrals/{referral['referral_id']}")).json()
    assert (seen["status"], seen["answer_channel"], seen["answerer_role"]) == (
        "accepted", "phone", "focal_point",
    )  # fmt: skip
    pool = referrals.app.state.pool
    data = await pool.fetchval("SELECT data FROM events WHERE event_type = 'referral.accepted'")
    assert data["channel"] == "phone"
    assert data["accepted_at"].startswith(answered_at.strftime("%Y-%m-%dT%H:%M"))
    assert (
        await audit_count(
            pool, "SELECT count(*) FROM audit_log WHERE action = 'referral.accept_on_behalf'"
        )
        == 1
    )

    other = await refer(referrals, online)
    refused = await caseworker.post(
        f"/referrals/{other['referral_id']}/accept", json={"evidence": evidence}
    )
    assert refused.status_code == 409
    assert refused.json()["detail"]["rule"] == "unit_answers_itself"
    outsider = referrals.client("caseworker", regions=["piura"])
    denied = await outsider.post(
        f"/referrals/{referral['referral_id']}/complete",
        json={"outcome": "protection_measure_granted", "evidence": evidence},
    )
    assert denied.status_code == 403
