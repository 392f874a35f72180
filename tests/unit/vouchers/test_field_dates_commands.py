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
from tests.unit.vouchers.givens import CAP, CLINIC, NOW, VOUCHER

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
