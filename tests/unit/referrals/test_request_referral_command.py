"""Requesting a referral through the service layer: looked up, decided, appended, kept, sealed,
audited; a refusal leaves nothing behind."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from contracts.referrals import ReferralRequested
from eventkit.decider import Refused
from eventkit.memory_store import MemoryEventStore
from services.referrals import commands
from tests.support.peru import ReferralDestination
from tests.unit.referrals.commands_given import DEADLINES, body, requested
from tests.unit.referrals.fakes import CASEWORKER, PARTICIPANT, FakePorts
from tests.unit.referrals.givens import CONSENT, T0, UNIT


async def test_a_request_lands_in_its_stream_with_its_view_sealed_data_and_audit() -> None:
    store, ports = MemoryEventStore(), FakePorts()
    done = await requested(store, ports)
    assert [(e.event_type, e.stream_version) for e in store.events()] == [("referral.requested", 1)]
    assert store.events()[0].stream_id == str(done.referral_id)
    assert (done.destination, done.unit_id, done.version) == (ReferralDestination.CEM, UNIT, 1)
    assert done.respond_by == T0 + timedelta(hours=24)  # CEM, urgent
    assert done.shared_fields == ("contact_phone", "preferred_contact_time")
    ((event, version, reason),) = ports.recorded
    assert isinstance(event, ReferralRequested) and (version, reason) == (1, "gbv_care")
    assert ports.sealed[done.referral_id] == {
        "participant_id": PARTICIPANT,
        "consent_id": CONSENT,
        "fields": {"contact_phone": "+51 987 654 321", "preferred_contact_time": "morning"},
    }
    assert ports.actions() == ["referral.request"]
    assert "+51" not in str(store.events()[0].data)  # the values stay out of the event


@pytest.mark.parametrize(
    ("ports", "request_body", "rule"),
    [
        (FakePorts(consents={}), body(), "consent_missing"),
        (FakePorts(participants={}), body(), "participant_unknown"),
        (FakePorts(cases={}), body(), "case_unknown"),
        (FakePorts(), body(unit_id=str(uuid.uuid4())), "unknown_unit"),
        (FakePorts(), body(shared={"document_number": "12345678"}), "fields_not_allowed"),
    ],
)
async def test_a_refused_request_leaves_nothing(
    ports: FakePorts, request_body: object, rule: str
) -> None:
    store = MemoryEventStore()
    with pytest.raises(Refused) as refused:
        await commands.request(store, ports, CASEWORKER, request_body, T0, DEADLINES)  # type: ignore[arg-type]
    assert refused.value.rule == rule
    assert (store.events(), ports.recorded, ports.sealed, ports.audited) == ([], [], {}, [])


async def test_an_inactive_unit_receives_no_referral() -> None:
    ports = FakePorts()
    ports.units[UNIT] = ports.units[UNIT].__class__(
        UNIT, "CEM Tumbes", ReferralDestination.CEM, ports.units[UNIT].region, True, False
    )
    with pytest.raises(Refused) as refused:
        await requested(MemoryEventStore(), ports)
    assert refused.value.rule == "unit_inactive"
