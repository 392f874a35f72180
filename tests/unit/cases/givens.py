"""Given-events helpers for the cases deciders: ids, times and ready-made histories."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from contracts.cases import CaseClosureReason, CaseOpened
from contracts.consent import ConsentGiven, ConsentGiver
from contracts.participants import ParticipantRegistered
from contracts.people import Sex
from contracts.vocabulary import ConsentPurpose, IntakeChannel
from services.cases import case, close_case, participant
from tests.support.deciders import Given
from tests.support.peru import CaseType, Region

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


person = Given(participant.evolve, participant.Participant())
a_case = Given(case.evolve, case.Case())

CONSENTING = person(registered(), consented())
CLOSED = (
    opened(),
    *close_case.decide(
        close_case.CloseCase(CaseClosureReason.NEEDS_MET, None, STAFF, NOW), a_case(opened())
    ),
)
