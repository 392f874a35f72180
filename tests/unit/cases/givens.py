"""Given-events helpers for the cases deciders: ids, times and ready-made histories."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest

from contracts.cases import CaseOpened
from contracts.consent import ConsentGiven, ConsentGiver
from contracts.event import Event
from contracts.participants import ParticipantRegistered
from contracts.people import Sex
from contracts.vocabulary import CaseType, ConsentPurpose, IntakeChannel, Region
from eventkit.decider import Refused, fold
from services.cases import case, participant

S = TypeVar("S")
NOW = datetime(2022, 6, 15, 12, tzinfo=UTC)
PERSON, CASE, STAFF, CONSENT = (uuid.uuid5(uuid.NAMESPACE_OID, n) for n in "pcsk")


def registered(pid: uuid.UUID = PERSON) -> ParticipantRegistered:
    return ParticipantRegistered(
        participant_id=pid,
        sex=Sex.WOMAN,
        birth_year_month="1994-03",
        nationality="VEN",
        region=Region.LIMA_CALLAO,
        registered_by=STAFF,
        registered_at=NOW,
    )


def consented(*purposes: ConsentPurpose, consent_id: uuid.UUID = CONSENT) -> ConsentGiven:
    return ConsentGiven(
        participant_id=PERSON,
        consent_id=consent_id,
        purposes=purposes or (ConsentPurpose.SERVICES,),
        given_by=ConsentGiver.PARTICIPANT,
        recorded_by=STAFF,
        given_at=NOW,
    )


def opened(case_type: CaseType = CaseType.GBV_PROTECTION) -> CaseOpened:
    return CaseOpened(
        case_id=CASE,
        participant_id=PERSON,
        case_type=case_type,
        intake_channel=IntakeChannel.ADMISSION_FORM,
        region=Region.LIMA_CALLAO,
        caseworker_id=STAFF,
        opened_at=NOW,
    )


def person(*events: Event) -> participant.Participant:
    return fold(participant.evolve, participant.Participant(), events)


def a_case(*events: Event) -> case.Case:
    return fold(case.evolve, case.Case(), events)


def refused(rule: str, decide: Callable[[], object]) -> Refused:
    """Then: the command is refused with `rule` (and nothing is decided)."""
    with pytest.raises(Refused) as caught:
        decide()
    assert caught.value.rule == rule, caught.value.message
    return caught.value


def only(events: Sequence[Event], kind: type[Event], **expected: Any) -> None:
    """Then: exactly one event of `kind` with these field values."""
    assert len(events) == 1 and isinstance(events[0], kind), events
    for name, value in expected.items():
        assert getattr(events[0], name) == value, name
