"""Field dates through the referrals' service layer: a request dated in the field runs its
deadline from then; a late answer recorded on a unit's behalf is a supervisor's, audited."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from access.principal import Principal, Role
from contracts.referrals import AnswerChannel, AnswererRole
from eventkit.decider import RefusalKind, Refused
from eventkit.memory_store import MemoryEventStore
from services.referrals import commands
from services.referrals.answer import Evidence
from tests.support.peru import Region
from tests.unit.referrals.commands_given import DEADLINES, body
from tests.unit.referrals.fakes import CASE, CASEWORKER, UNIT_ACCOUNT, FakePorts
from tests.unit.referrals.givens import CONSENT, T0, UNIT

SUPERVISOR = Principal("sv-7", "ngo-pe", Role.SUPERVISOR, frozenset({Region.TUMBES}))
NOW = T0 + timedelta(days=20)


async def test_a_request_dated_in_the_field_runs_its_deadline_from_then() -> None:
    store, ports = MemoryEventStore(), FakePorts()
    then = T0 + timedelta(days=1)
    done = await commands.request(store, ports, CASEWORKER, body(), then + timedelta(days=2),
                                  DEADLINES, then)  # fmt: skip
    assert store.events()[-1].data["requested_at"] == "2022-06-02T09:00:00Z"
    assert done.respond_by == then + timedelta(hours=24)  # urgent CEM
    assert ports.audited[-1].purpose is None  # two days late: within the delay


async def test_a_late_answer_on_a_units_behalf_is_a_supervisors_and_is_audited() -> None:
    store, ports = MemoryEventStore(), FakePorts()
    ports.units[UNIT] = replace(ports.units[UNIT], has_system_account=False)
    referral = await commands.request(store, ports, CASEWORKER, body(), T0, DEADLINES)
    phoned = Evidence(AnswererRole.FOCAL_POINT, AnswerChannel.PHONE, T0 + timedelta(hours=5))
    with pytest.raises(Refused) as refused:
        await commands.accept(store, ports, CASEWORKER, referral.referral_id, NOW, phoned)
    assert (refused.value.rule, refused.value.kind) == (
        "late_entry_needs_supervisor",
        RefusalKind.FORBIDDEN,
    )
    await commands.accept(store, ports, SUPERVISOR, referral.referral_id, NOW, phoned)
    assert store.events()[-1].data["accepted_at"] == "2022-06-01T14:00:00Z"
    assert ports.audited[-1].purpose == "late_entry occurred_at=2022-06-01T14:00:00Z"


async def test_a_unit_answers_before_the_request_is_refused() -> None:
    store, ports = MemoryEventStore(), FakePorts()
    referral = await commands.request(store, ports, CASEWORKER, body(), T0, DEADLINES)
    with pytest.raises(Refused) as refused:
        await commands.accept(store, ports, UNIT_ACCOUNT, referral.referral_id, T0,
                              occurred_at=T0 - timedelta(hours=1))  # fmt: skip
    assert refused.value.rule == "answered_before_request"


async def test_a_request_is_checked_against_its_cases_opening_and_consent_from_the_copies() -> None:
    store, ports = MemoryEventStore(), FakePorts()
    then, now = T0 + timedelta(days=1), T0 + timedelta(days=3)
    ports.opened[CASE] = then + timedelta(hours=1)  # the roster copy: opened after `then`
    with pytest.raises(Refused) as refused:
        await commands.request(store, ports, CASEWORKER, body(), now, DEADLINES, then)
    assert refused.value.rule == "requested_before_opening"
    ports.opened[CASE], ports.consented[CONSENT] = then, then + timedelta(hours=1)
    with pytest.raises(Refused) as refused:
        await commands.request(store, ports, CASEWORKER, body(), now, DEADLINES, then)
    assert refused.value.rule == "requested_before_consent"
    assert store.events() == []
    ports.consented[CONSENT] = then
    await commands.request(store, ports, CASEWORKER, body(), now, DEADLINES, then)
    assert store.events()[-1].data["requested_at"] == "2022-06-02T09:00:00Z"
