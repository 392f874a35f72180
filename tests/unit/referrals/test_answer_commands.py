"""A unit's answers through the service layer (accept, reject, complete), by itself or recorded
on its behalf, with the version the client saw (`If-Match`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from access.principal import Role
from contracts.referrals import (
    AnswerChannel,
    AnswererRole,
    ReferralAccepted,
    ReferralCompleted,
    ReferralOutcome,
    ReferralRejected,
    ReferralRejectionReason,
)
from eventkit.decider import RefusalKind, Refused
from eventkit.memory_store import MemoryEventStore
from eventkit.store import ConcurrencyConflict
from services.referrals import commands
from services.referrals.answer import Evidence
from services.referrals.referral import Status
from tests.unit.referrals.commands_given import requested
from tests.unit.referrals.fakes import CASEWORKER, UNIT_ACCOUNT, FakePorts
from tests.unit.referrals.givens import T0, UNIT

LATER = T0 + timedelta(hours=3)
BY_PHONE = Evidence(AnswererRole.FOCAL_POINT, AnswerChannel.PHONE, T0 + timedelta(hours=2))


async def test_accept_then_complete_moves_the_referral_on_and_audits_each() -> None:
    store, ports = MemoryEventStore(), FakePorts()
    referral = await requested(store, ports)
    accepted = await commands.accept(store, ports, UNIT_ACCOUNT, referral.referral_id, LATER)
    assert (accepted.status, accepted.version) == (Status.ACCEPTED, 2)
    outcome, then = ReferralOutcome.ATTENDED, LATER + timedelta(hours=1)
    done = await commands.complete(store, ports, UNIT_ACCOUNT, referral.referral_id, outcome, then)
    assert (done.status, done.version) == (Status.COMPLETED, 3)
    assert done.position == str(store.events()[-1].event_id)
    assert [type(e) for e, _, _ in ports.recorded][1:] == [ReferralAccepted, ReferralCompleted]
    assert [v for _, v, _ in ports.recorded] == [1, 2, 3]
    assert ports.actions() == ["referral.request", "referral.accept", "referral.complete"]


async def test_reject_keeps_the_reason() -> None:
    store, ports = MemoryEventStore(), FakePorts()
    referral = await requested(store, ports)
    done = await commands.reject(store, ports, UNIT_ACCOUNT, referral.referral_id,
                                 ReferralRejectionReason.NO_CAPACITY, LATER)  # fmt: skip
    assert done.status is Status.REJECTED
    event = ports.recorded[-1][0]
    assert isinstance(event, ReferralRejected)
    assert (event.reason, event.rejected_at) == (ReferralRejectionReason.NO_CAPACITY, LATER)
    assert store.events()[-1].data["reason"] == "no_capacity"


async def test_an_answer_on_behalf_of_a_unit_without_an_account_carries_its_evidence() -> None:
    store, ports = MemoryEventStore(), FakePorts()
    ports.units[UNIT] = replace(ports.units[UNIT], has_system_account=False)
    referral = await requested(store, ports)
    await commands.accept(store, ports, CASEWORKER, referral.referral_id, LATER, BY_PHONE)
    event = ports.recorded[-1][0]
    assert isinstance(event, ReferralAccepted)
    assert (event.accepted_at, event.channel) == (BY_PHONE.answered_at, AnswerChannel.PHONE)
    assert ports.actions()[-1] == "referral.accept_on_behalf"


async def test_a_unit_with_an_account_answers_itself() -> None:
    store, ports = MemoryEventStore(), FakePorts()
    referral = await requested(store, ports)
    with pytest.raises(Refused) as refused:
        await commands.reject(store, ports, CASEWORKER, referral.referral_id,
                              ReferralRejectionReason.OUT_OF_SCOPE, LATER, BY_PHONE)  # fmt: skip
    assert refused.value.rule == "unit_answers_itself"
    assert len(store.events()) == 1 and ports.actions() == ["referral.request"]


async def test_what_a_unit_with_an_account_answered_long_ago_is_a_supervisors_late_entry() -> None:
    store, ports = MemoryEventStore(), FakePorts()
    referral = await requested(store, ports)
    weeks_later = LATER + timedelta(days=30)  # recorded a month after the unit answered
    with pytest.raises(Refused) as refused:  # a caseworker still may not speak for the unit
        await commands.accept(store, ports, CASEWORKER, referral.referral_id, weeks_later,
                              BY_PHONE)  # fmt: skip
    assert (refused.value.rule, refused.value.kind) == (
        "late_entry_needs_supervisor",
        RefusalKind.FORBIDDEN,
    )
    supervisor = replace(CASEWORKER, subject="sup-7", role=Role.SUPERVISOR)
    await commands.accept(store, ports, supervisor, referral.referral_id, weeks_later, BY_PHONE)
    event = ports.recorded[-1][0]
    assert isinstance(event, ReferralAccepted)
    assert event.accepted_at == BY_PHONE.answered_at
    assert ports.actions()[-1] == "referral.accept_on_behalf"


async def test_an_answer_at_the_version_the_client_saw_lands_a_stale_one_conflicts() -> None:
    store, ports = MemoryEventStore(), FakePorts()
    referral = await requested(store, ports)
    with pytest.raises(ConcurrencyConflict) as conflict:
        await commands.accept(store, ports, UNIT_ACCOUNT, referral.referral_id, LATER,
                              expected_version=2)  # fmt: skip
    assert conflict.value.actual == 1
    assert len(store.events()) == 1
    done = await commands.accept(store, ports, UNIT_ACCOUNT, referral.referral_id, LATER,
                                 expected_version=1)  # fmt: skip
    assert done.version == 2


async def test_completing_a_waiting_referral_is_refused_and_leaves_nothing() -> None:
    store, ports = MemoryEventStore(), FakePorts()
    referral = await requested(store, ports)
    with pytest.raises(Refused) as refused:
        await commands.complete(store, ports, UNIT_ACCOUNT, referral.referral_id,
                                ReferralOutcome.ATTENDED, LATER)  # fmt: skip
    assert refused.value.rule == "illegal_transition"
    assert len(store.events()) == 1 and len(ports.recorded) == 1
