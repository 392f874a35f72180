"""What a unit reads: only the fields its destination needs and consent allows; encrypted at
rest; never in events; withheld once consent is withdrawn; no consent, no referral."""

from __future__ import annotations

import uuid

import pytest

from tests.integration.referrals.flows import (
    add_unit,
    give_consent,
    refer,
    referral_body,
    register,
    withdraw_consent,
)
from tests.support.audit import audit_count
from tests.support.services import RunningService

pytestmark = pytest.mark.integration

PHONE = "+51 987 654 321"
VIEW_KEYS = {
    "referral_id", "unit_id", "destination", "region", "assistance_type", "reason", "urgency",
    "status", "requested_at", "respond_by", "shared",
}  # fmt: skip


async def test_a_unit_reads_only_what_its_destination_needs(referrals: RunningService) -> None:
    csmc = await add_unit(referrals, "CSMC Tumbes", destination="CSMC")
    participant = str(uuid.uuid4())
    await give_consent(referrals, participant)
    caseworker = referrals.client("caseworker", regions=["tumbes"])

    too_much = referral_body(
        csmc, participant, reason="mental_health_care",
        shared={"age_group": "youth", "sex": "woman", "contact_phone": PHONE,
                "full_name": "Ana Pérez"},
    )  # fmt: skip
    refused = await caseworker.post("/referrals", json=too_much)
    assert refused.status_code == 422
    assert refused.json()["detail"]["rule"] == "fields_not_allowed"
    assert "contact_phone, full_name" in refused.json()["detail"]["message"]

    body = referral_body(
        csmc,
        participant,
        reason="mental_health_care",
        shared={"age_group": "youth", "sex": "woman"},
    )
    created = await caseworker.post("/referrals", json=body)
    assert created.status_code == 201, created.text
    referral_id = created.json()["referral_id"]
    unit = referrals.client("receiving_service", org="minsa", unit_id=csmc)
    read = await unit.get(f"/units/{csmc}/referrals/{referral_id}")
    assert read.status_code == 200
    assert set(read.json()) == VIEW_KEYS  # no participant or case id, nothing about the team
    assert read.json()["shared"] == {"age_group": "youth", "sex": "woman"}


async def test_shared_data_is_encrypted_kept_out_of_events_and_withheld_after_withdrawal(
    referrals: RunningService,
) -> None:
    cem = await add_unit(referrals, "CEM Tumbes")
    referral = await refer(referrals, cem)
    unit = referrals.client("receiving_service", org="mimp", unit_id=cem)
    path = f"/units/{cem}/referrals/{referral['referral_id']}"

    read = await unit.get(path)
    assert read.json()["shared"] == {"contact_phone": PHONE, "preferred_contact_time": "morning"}

    pool = referrals.app.state.pool
    sealed = await pool.fetchval("SELECT sealed_fields::text FROM referral_shared_data")
    assert PHONE not in sealed
    assert "v1:" in sealed
    events = await pool.fetchval("SELECT string_agg(data::text, ' ') FROM events")
    assert PHONE not in events
    assert (
        await audit_count(
            pool, "SELECT count(*) FROM audit_log WHERE action = 'referral.read_shared'"
        )
        == 1
    )

    consent_id = await pool.fetchval(
        "SELECT consent_id::text FROM referrals WHERE referral_id = $1",
        uuid.UUID(referral["referral_id"]),
    )
    await withdraw_consent(referrals, referral["participant_id"], consent_id)
    withheld = await unit.get(path)
    assert withheld.status_code == 200
    assert withheld.json()["shared"] is None
    assert await pool.fetchval("SELECT count(*) FROM referral_shared_data") == 0

    caseworker = referrals.client("caseworker", regions=["tumbes"])
    again = await caseworker.post("/referrals", json=referral_body(cem, referral["participant_id"]))
    assert again.status_code == 409
    assert again.json()["detail"]["rule"] == "consent_missing"


async def test_without_consent_the_request_is_refused_naming_it(referrals: RunningService) -> None:
    cem = await add_unit(referrals, "CEM Tumbes")
    caseworker = referrals.client("caseworker", regions=["tumbes"])
    participant = str(uuid.uuid4())
    await register(referrals, participant)
    answer = await caseworker.post("/referrals", json=referral_body(cem, participant))
    assert answer.status_code == 409
    detail = answer.json()["detail"]
    assert detail["rule"] == "consent_missing"
    assert "referral_sharing consent" in detail["message"]
    pool = referrals.app.state.pool
    assert await pool.fetchval("SELECT count(*) FROM events") == 0


async def test_a_consent_naming_destinations_covers_only_those(referrals: RunningService) -> None:
    cem = await add_unit(referrals, "CEM Tumbes")
    participant = str(uuid.uuid4())
    await give_consent(referrals, participant, destinations=("CSMC",))
    caseworker = referrals.client("caseworker", regions=["tumbes"])
    refused = await caseworker.post("/referrals", json=referral_body(cem, participant))
    assert refused.status_code == 409
    assert refused.json()["detail"]["rule"] == "consent_missing"
    await give_consent(referrals, participant, destinations=("CEM",))
    allowed = await caseworker.post("/referrals", json=referral_body(cem, participant))
    assert allowed.status_code == 201, allowed.text
