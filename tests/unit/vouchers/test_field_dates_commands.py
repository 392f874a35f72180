"""Field dates through the vouchers' service layer: a late issue is a supervisor's, audited; a
clinic's late claim within the claim window is paid and audited as late."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from eventkit.decider import RefusalKind, Refused
from services.vouchers import commands
from tests.unit.vouchers.fakes import (
    CASEWORKER,
    CODE,
    SUPERVISOR,
    World,
    issue_body,
    redeem_body,
)
from tests.unit.vouchers.givens import CAP, CLINIC, LIMA, NOW, VOUCHER

WEEKS_AGO = NOW - timedelta(days=15)


async def test_a_late_issue_is_refused_to_a_caseworker_and_audited_for_a_supervisor() -> None:
    world = World()
    body = issue_body().model_copy(update={"valid_until": NOW - timedelta(days=5)})
    with pytest.raises(Refused) as refused:
        await commands.issue(world.ports(), CASEWORKER, body, CODE, CAP, VOUCHER, NOW, WEEKS_AGO)
    assert (refused.value.rule, refused.value.kind) == (
        "late_entry_needs_supervisor",
        RefusalKind.FORBIDDEN,
    )
    assert world.event_types() == []
    await commands.issue(world.ports(), SUPERVISOR, body, CODE, CAP, VOUCHER, NOW, WEEKS_AGO)
    [event] = world.store.events()
    assert event.data["issued_at"] == "2023-02-14T15:00:00Z"
    assert world.audit[-1].purpose == "late_entry occurred_at=2023-02-14T15:00:00Z"


async def test_a_clinic_claims_late_care_on_an_expired_voucher_and_is_paid() -> None:
    world = World()
    body = issue_body().model_copy(update={"valid_until": WEEKS_AGO + timedelta(days=1)})
    before = WEEKS_AGO - timedelta(days=1)
    await commands.issue(world.ports(), SUPERVISOR, body, CODE, CAP, VOUCHER, NOW, before)
    assert await commands.expire(world.ports(), VOUCHER, NOW) == 1
    claim = redeem_body("80.00")
    done = await commands.redeem(world.ports(), claim, CODE, CLINIC, uuid.uuid4(), NOW, WEEKS_AGO)
    assert done.amount == claim.amount
    assert world.store.events()[-1].data["redeemed_at"] == "2023-02-14T15:00:00Z"
    assert world.audit[-1].action == "voucher.redeem"
    assert world.audit[-1].purpose == "late_entry occurred_at=2023-02-14T15:00:00Z"


async def test_a_claim_past_the_window_is_the_clinics_no_more_but_a_supervisor_records_it() -> None:
    world = World()
    served = NOW - timedelta(days=90)
    body = issue_body().model_copy(update={"valid_until": served + timedelta(days=1)})
    await commands.issue(world.ports(), SUPERVISOR, body, CODE, CAP, VOUCHER, NOW, served)
    claim = redeem_body("80.00")
    with pytest.raises(Refused) as refused:
        await commands.redeem(world.ports(), claim, CODE, CLINIC, uuid.uuid4(), NOW, served)
    assert refused.value.rule == "claim_window_passed"
    with pytest.raises(Refused) as refused:
        await commands.redeem(
            world.ports(), claim, CODE, CLINIC, uuid.uuid4(), NOW, served, recorded_by=CASEWORKER
        )
    assert refused.value.rule == "late_entry_needs_supervisor"
    await commands.redeem(
        world.ports(), claim, CODE, CLINIC, uuid.uuid4(), NOW, served, recorded_by=SUPERVISOR
    )
    [redeemed] = world.store.events()[-1:]
    assert (redeemed.event_type, redeemed.data["provider_id"]) == ("voucher.redeemed", str(CLINIC))
    audit = world.audit[-1]
    assert (audit.actor_subject, audit.actor_role, audit.action) == (
        "sup-1",
        "supervisor",
        "voucher.record_redemption",
    )
    assert audit.purpose == f"late_entry occurred_at={served:%Y-%m-%dT%H:%M:%S}Z"


async def test_a_voucher_is_not_issued_before_its_cases_opening() -> None:
    world = World(opened=WEEKS_AGO + timedelta(hours=1))
    with pytest.raises(Refused) as refused:
        await commands.issue(
            world.ports(), SUPERVISOR, issue_body(), CODE, CAP, VOUCHER, NOW, WEEKS_AGO
        )
    assert refused.value.rule == "issued_before_opening"
    assert world.event_types() == []
    world.opened = WEEKS_AGO
    await commands.issue(
        world.ports(), SUPERVISOR, issue_body(), CODE, CAP, VOUCHER, NOW, WEEKS_AGO
    )
    assert world.event_types() == ["voucher.issued"]


async def test_the_clinics_lookup_judges_expiry_at_the_time_of_service_as_redemption_does() -> None:
    world = World()
    expiry = NOW - timedelta(days=5)
    body = issue_body().model_copy(update={"valid_until": expiry})
    await commands.issue(world.ports(), SUPERVISOR, body, CODE, CAP, VOUCHER, NOW, WEEKS_AGO)
    assert await commands.expire(world.ports(), VOUCHER, NOW) == 1
    now = await commands.clinic_view(world.ports(), CODE, CLINIC, LIMA, NOW)
    claimable = f"still claimable until {expiry + timedelta(days=60):%Y-%m-%d}"
    assert now.redeemable is False and claimable in (now.refusal or "")
    served = expiry - timedelta(days=1)
    then = await commands.clinic_view(world.ports(), CODE, CLINIC, LIMA, NOW, served)
    assert (then.redeemable, then.refusal) == (True, None)
    claim = redeem_body("80.00")  # what the lookup said: the redemption for that day is paid
    await commands.redeem(world.ports(), claim, CODE, CLINIC, uuid.uuid4(), NOW, served)
    after = await commands.clinic_view(world.ports(), CODE, CLINIC, LIMA, NOW, expiry)
    assert after.redeemable is False and "already redeemed" in (after.refusal or "")


async def test_the_clinics_lookup_says_a_claim_past_the_window_is_a_supervisors() -> None:
    world = World()
    served = NOW - timedelta(days=61)
    body = issue_body().model_copy(update={"valid_until": served + timedelta(days=10)})
    await commands.issue(world.ports(), SUPERVISOR, body, CODE, CAP, VOUCHER, NOW, served)
    view = await commands.clinic_view(world.ports(), CODE, CLINIC, LIMA, NOW, served)
    assert view.redeemable is False and "a supervisor records it" in (view.refusal or "")
    with pytest.raises(Refused) as refused:
        await commands.redeem(world.ports(), redeem_body("80.00"), CODE, CLINIC, uuid.uuid4(),
                              NOW, served)  # fmt: skip
    assert refused.value.rule == "claim_window_passed"
