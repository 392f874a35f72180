"""Registering a participant and keeping the record right: given participant events, when
register, correct, merge or erase, then events or a refusal."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from contracts.outreach import DeliveryMode
from contracts.participants import (
    CorrectionReason,
    MergeReason,
    ParticipantCorrected,
    ParticipantErased,
    ParticipantMerged,
    ParticipantRegistered,
)
from contracts.people import Sex
from contracts.vocabulary import ConsentPurpose, MessageChannel, MessageTopic
from services.cases import correct, erase, merge, record_reach, register
from tests.support.deciders import then_only, then_refused, when
from tests.support.peru import Region
from tests.unit.cases.givens import (
    NOW,
    PERSON,
    STAFF,
    consented,
    person,
    registered,
)

OTHER = uuid.uuid4()


def _register(born: date = date(1994, 3, 12)) -> register.RegisterParticipant:
    return register.RegisterParticipant(
        PERSON, Sex.WOMAN, born, False, "VEN", Region.PIURA, STAFF, NOW
    )


def test_register_publishes_the_birth_month_only() -> None:
    then_only(
        register.decide(_register(), person()),
        ParticipantRegistered,
        birth_year_month="1994-03",
        region=Region.PIURA,
    )


def test_register_refuses_an_existing_record_and_impossible_birth_dates() -> None:
    then_refused(when(register.decide, _register(), person(registered())), "already_registered")
    future = NOW.date() + timedelta(days=1)
    then_refused(when(register.decide, _register(future), person()), "birth_date_in_future")
    ancient = date(1800, 1, 1)
    then_refused(when(register.decide, _register(ancient), person()), "birth_date_implausible")


def test_correct_changes_only_what_is_given_and_personal_only_is_no_event() -> None:
    command = correct.CorrectParticipant(
        CorrectionReason.DOCUMENT_VERIFIED, STAFF, NOW, born_on=date(1994, 4, 2)
    )
    then_only(
        correct.decide(command, person(registered())),
        ParticipantCorrected,
        birth_year_month="1994-04",
        sex=None,
    )
    nothing = correct.CorrectParticipant(CorrectionReason.DATA_ENTRY_ERROR, STAFF, NOW)
    assert correct.decide(nothing, person(registered())) == []
    then_refused(when(correct.decide, command, person()), "participant_not_found")


def _merge(surviving: ParticipantRegistered | None) -> merge.MergeParticipant:
    state = person(surviving) if surviving else person()
    return merge.MergeParticipant(state, MergeReason.DOCUMENT_MATCH, STAFF, NOW)


def test_merge_ends_the_duplicate_stream_into_an_active_record() -> None:
    then_only(
        merge.decide(_merge(registered(OTHER)), person(registered())),
        ParticipantMerged,
        merged_participant_id=PERSON,
        surviving_participant_id=OTHER,
    )


def test_merge_refusals() -> None:
    state = person(registered())
    then_refused(when(merge.decide, _merge(registered(PERSON)), state), "merge_into_itself")
    then_refused(when(merge.decide, _merge(None), state), "participant_not_found")
    merged = ParticipantMerged(
        merged_participant_id=OTHER,
        surviving_participant_id=PERSON,
        reason=MergeReason.DOCUMENT_MATCH,
        merged_by=STAFF,
        merged_at=NOW,
    )
    gone = merge.MergeParticipant(
        person(registered(OTHER), merged), MergeReason.DOCUMENT_MATCH, STAFF, NOW
    )
    then_refused(when(merge.decide, gone, state), "surviving_merged")
    again = person(
        registered(),
        merged.model_copy(
            update={"merged_participant_id": PERSON, "surviving_participant_id": OTHER}
        ),
    )
    then_refused(when(merge.decide, _merge(registered(OTHER)), again), "participant_merged")


def _erased() -> ParticipantErased:
    return ParticipantErased(participant_id=PERSON, erased_by=STAFF, erased_at=NOW)


def test_erasure_is_announced_once_with_no_personal_data() -> None:
    _erase = erase.EraseParticipant(STAFF, NOW)
    then_only(erase.decide(_erase, person(registered())), ParticipantErased,
              participant_id=PERSON, erased_by=STAFF)  # fmt: skip
    then_refused(when(erase.decide, _erase, person(registered(), _erased())), "participant_erased")
    then_refused(when(erase.decide, _erase, person()), "participant_not_found")


def test_nothing_new_is_recorded_about_an_erased_person() -> None:
    gone = person(registered(), consented(ConsentPurpose.SERVICES), _erased())
    reach = record_reach.RecordReach(
        uuid.uuid4(), MessageTopic.HEALTH_SERVICES, MessageChannel.FAIR, DeliveryMode.IN_PERSON,
        Region.PIURA, NOW, NOW,
    )  # fmt: skip
    then_refused(when(record_reach.decide, reach, gone), "participant_erased")
    into = merge.MergeParticipant(person(registered(OTHER)), MergeReason.DOCUMENT_MATCH,
                                      STAFF, NOW)  # fmt: skip
    then_refused(when(merge.decide, into, gone), "participant_erased")
    into_gone = merge.MergeParticipant(gone, MergeReason.DOCUMENT_MATCH, STAFF, NOW)
    then_refused(when(merge.decide, into_gone, person(registered(OTHER))), "participant_erased")


def test_population_type_and_attributes_are_recorded_as_codes_and_corrected_alone() -> None:
    command = register.RegisterParticipant(
        PERSON, Sex.WOMAN, date(1994, 3, 12), False, "VEN", Region.PIURA, STAFF, NOW,
        population_type="in_transit", attributes={"disability": "with_disability"},
    )  # fmt: skip
    then_only(
        register.decide(command, person()),
        ParticipantRegistered,
        population_type="in_transit",
        attributes={"disability": "with_disability"},
    )
    only_attributes = correct.CorrectParticipant(
        CorrectionReason.SELF_IDENTIFICATION_UPDATED, STAFF, NOW, attributes={"lgbtiq": "no"}
    )
    then_only(
        correct.decide(only_attributes, person(registered())),
        ParticipantCorrected,
        attributes={"lgbtiq": "no"},
        population_type=None,
        sex=None,
    )
