"""Cancelling and marking overdue through the service layer."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from access.actors import actor_id
from contracts.referrals import ReferralCancellationReason, ReferralCancelled, ReferralOverdue
from eventkit.decider import Refused
from eventkit.memory_store import MemoryEventStore
from eventkit.store import ConcurrencyConflict
from services.referrals import commands
from services.referrals.referral import Status
from tests.unit.referrals.commands_given import requested
from tests.unit.referrals.fakes import CASEWORKER, FakePorts
from tests.unit.referrals.givens import T0

REASON = ReferralCancellationReason.NEED_MET_OTHERWISE


async def test_cancel_withdraws_the_referral_as_the_caseworker() -> None:
    store, ports = MemoryEventStore(), FakePorts()
    referral = await requested(store, ports)
    done = await commands.cancel(store, ports, CASEWORKER, referral.referral_id, REASON,
                                 T0 + timedelta(hours=1), expected_version=1)  # fmt: skip
    assert (done.status, done.version) == (Status.CANCELLED, 2)
    event = ports.recorded[-1][0]
    assert isinstance(event, ReferralCancelled)
    assert event.cancelled_by == actor_id(CASEWORKER)
    assert ports.actions()[-1] == "referral.cancel"


async def test_cancel_at_a_stale_version_conflicts() -> None:
    store, ports = MemoryEventStore(), FakePorts()
    referral = await requested(store, ports)
    await commands.cancel(store, ports, CASEWORKER, referral.referral_id, REASON, T0)
    with pytest.raises(ConcurrencyConflict):
        await commands.cancel(store, ports, CASEWORKER, referral.referral_id, REASON, T0,
                              expected_version=1)  # fmt: skip


async def test_a_referral_never_requested_is_not_found() -> None:
    with pytest.raises(Refused) as refused:
        await commands.cancel(MemoryEventStore(), FakePorts(), CASEWORKER, uuid.uuid4(), REASON, T0)
    assert refused.value.rule == "referral_not_found"


async def test_mark_overdue_only_past_the_deadline_and_only_once() -> None:
    store, ports = MemoryEventStore(), FakePorts()
    referral = await requested(store, ports)
    due = referral.respond_by
    assert await commands.mark_overdue(store, ports, referral.referral_id, due - timedelta(1)) == 0
    assert await commands.mark_overdue(store, ports, referral.referral_id, due) == 1
    assert await commands.mark_overdue(store, ports, referral.referral_id, due) == 0
    assert [e.event_type for e in store.events()] == ["referral.requested", "referral.overdue"]
    event, version, _ = ports.recorded[-1]
    assert isinstance(event, ReferralOverdue) and (event.detected_at, version) == (due, 2)
