"""Referrals and vouchers check the participant and case they are given against their copy of
who exists and where: another region's person is refused (403), an unknown id is refused with a
named rule and `Retry-After`, a case must be the person's, a merged id reaches the survivor."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.integration.across.conftest import System, ok, person_with_a_case

pytestmark = pytest.mark.integration
LIMA, PIURA = "lima_callao", "piura"
LATER = (datetime.now(UTC) + timedelta(days=30)).isoformat()


async def _person(system: System, region: str) -> dict[str, str]:
    """A registered, consenting participant of `region` with a case, known to both copies."""
    cw = system.cases.client("caseworker", regions=[region])
    tag = uuid.uuid4().hex[:6]
    person, consent, case = await person_with_a_case(cw, {
        "given_names": f"Ana {tag}", "family_names": "Prueba", "sex": "woman",
        "birth_date": "1990-05-01", "nationality": "VEN", "region": region,
    }, "in_transit")  # fmt: skip
    pid = person["participant_id"]
    await system.known(person["position"], case["position"])
    await system.consented(consent["position"])
    return {"participant_id": pid, "case_id": case["case_id"]}


def _voucher(person: dict[str, str], region: str) -> dict[str, Any]:
    return {**person, "region": region, "services": ["exams"], "amount": "20.00",
            "valid_until": LATER}  # fmt: skip


async def _referral(system: System, person: dict[str, str], region: str) -> dict[str, Any]:
    admin = system.referrals.client("administrator")
    unit = await ok(await admin.post("/units", json={
        "name": f"CEM {uuid.uuid4().hex[:6]}", "destination": "CEM", "region": region,
        "has_system_account": True, "handover_contact": {"office": "Admisión"},
    }))  # fmt: skip
    return {**person, "unit_id": unit["unit_id"], "region": region,
            "assistance_type": "psychosocial", "reason": "gbv_care", "urgency": "routine",
            "shared": {"preferred_contact_time": "morning"}}  # fmt: skip


async def test_a_voucher_for_another_regions_participant_is_refused(system: System) -> None:
    lima = await _person(system, LIMA)
    piura = system.vouchers.client("caseworker", regions=[PIURA])
    refused = await piura.post("/vouchers", json=_voucher(lima, PIURA))
    assert refused.status_code == 403, refused.text
    assert "lima_callao" in refused.text
    own = system.vouchers.client("caseworker", regions=[LIMA])
    assert (await own.post("/vouchers", json=_voucher(lima, LIMA))).status_code == 201


async def test_a_referral_of_another_regions_participant_is_refused(system: System) -> None:
    lima = await _person(system, LIMA)
    piura = system.referrals.client("caseworker", regions=[PIURA])
    refused = await piura.post("/referrals", json=await _referral(system, lima, PIURA))
    assert refused.status_code == 403, refused.text
    own = system.referrals.client("caseworker", regions=[LIMA])
    created = await own.post("/referrals", json=await _referral(system, lima, LIMA))
    assert created.status_code == 201, created.text


async def test_unknown_people_and_cases_are_refused_naming_the_rule_with_retry_after(
    system: System,
) -> None:
    lima, other = await _person(system, LIMA), await _person(system, LIMA)
    cw_v = system.vouchers.client("caseworker", regions=[LIMA])
    cw_r = system.referrals.client("caseworker", regions=[LIMA])
    never = {"participant_id": str(uuid.uuid4()), "case_id": lima["case_id"]}
    no_case = {"participant_id": lima["participant_id"], "case_id": str(uuid.uuid4())}
    not_hers = {"participant_id": lima["participant_id"], "case_id": other["case_id"]}
    for body, rule, status in ((never, "participant_unknown", 409),
                               (no_case, "case_unknown", 409),
                               (not_hers, "case_not_participants", 422)):  # fmt: skip
        for answer in (
            await cw_v.post("/vouchers", json=_voucher(body, LIMA)),
            await cw_r.post("/referrals", json=await _referral(system, body, LIMA)),
        ):
            assert answer.status_code == status, answer.text
            assert answer.json()["detail"]["rule"] == rule
            if status == 409:  # the copy may just be behind: the client may retry shortly
                assert answer.headers["Retry-After"] == "1"


async def test_a_merged_id_is_followed_to_the_surviving_record(system: System) -> None:
    duplicate, survivor = await _person(system, LIMA), await _person(system, LIMA)
    cw = system.cases.client("caseworker", regions=[LIMA])
    merged = await ok(await cw.post(
        f"/participants/{duplicate['participant_id']}/merge",
        json={"into_participant_id": survivor["participant_id"],
              "reason": "duplicate_registration"},
    ))  # fmt: skip
    await system.known(merged["position"])
    # The duplicate's case belongs to the survivor now; the voucher is the survivor's.
    issued = await ok(await system.vouchers.client("caseworker", regions=[LIMA]).post(
        "/vouchers", json=_voucher(duplicate, LIMA)
    ))  # fmt: skip
    read = await system.vouchers.client("caseworker", regions=[LIMA]).get(
        f"/vouchers/{issued['voucher_id']}"
    )
    assert read.json()["participant_id"] == survivor["participant_id"]
