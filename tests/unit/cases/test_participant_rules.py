"""Given participant events, when a command, then events or a refusal (register, correct,
merge, erase, consent, outreach)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from contracts.consent import ConsentGiven, ConsentGiver, ConsentWithdrawalReason, ConsentWithdrawn
from contracts.outreach import DeliveryMode, MessageReached
from contracts.participants import (
    CorrectionReason,
    MergeReason,
    ParticipantCorrected,
    ParticipantErased,
    ParticipantMerged,
    ParticipantRegistered,
)
from contracts.people import Sex
from contracts.vocabulary import (
    ConsentPurpose,
    MessageChannel,
    MessageTopic,
    ReferralDestination,
    Region,
)
from services.cases import consent, outreach, register
from services.cases.participant import require_consent
from tests.unit.cases.givens import (
    CONSENT,
    NOW,
    PERSON,
    STAFF,
    consented,
    only,
    person,
    refused,
    registered,
)

OTHER = uuid.uuid4()


def _register(born: date = date(1994, 3, 12)) -> register.RegisterParticipant:
    return register.RegisterParticipant(
        PERSON, Sex.WOMAN, born, False, "VEN", Region.PIURA, STAFF, NOW
    )


def test_register_publishes_the_birth_month_only() -> None:
    only(
        register.register(_register(), person()),
        ParticipantRegistered,
        birth_year_month="1994-03",
        region=Region.PIURA,
    )


def test_register_refuses_an_existing_record_and_impossible_birth_dates() -> None:
    refused("already_registered", lambda: register.register(_register(), person(registered())))
    future = NOW.date() + timedelta(days=1)
    refused("birth_date_in_future", lambda: register.register(_register(future), person()))
    ancient = date(1800, 1, 1)
    refused("birth_date_implausible", lambda: register.register(_register(ancient), person()))


def test_correct_changes_only_what_is_given_and_personal_only_is_no_event() -> None:
    command = register.CorrectParticipant(
        CorrectionReason.DOCUMENT_VERIFIED, STAFF, NOW, born_on=date(1994, 4, 2)
    )
    only(
        register.correct(command, person(registered())),
        ParticipantCorrected,
        birth_year_month="1994-04",
        sex=None,
    )
    nothing = register.CorrectParticipant(CorrectionReason.DATA_ENTRY_ERROR, STAFF, NOW)
    assert register.correct(nothing, person(registered())) == []
    refused("participant_not_found", lambda: register.correct(command, person()))


def _merge(surviving: ParticipantRegistered | None) -> register.MergeParticipant:
    state = person(surviving) if surviving else person()
    return register.MergeParticipant(state, MergeReason.DOCUMENT_MATCH, STAFF, NOW)


def test_merge_ends_the_duplicate_stream_into_an_active_record() -> None:
    only(
        register.merge(_merge(registered(OTHER)), person(registered())),
        ParticipantMerged,
        merged_participant_id=PERSON,
        surviving_participant_id=OTHER,
    )


def test_merge_refusals() -> None:
    state = person(registered())
    refused("merge_into_itself", lambda: register.merge(_merge(registered(PERSON)), state))
    refused("participant_not_found", lambda: register.merge(_merge(None), state))
    merged = ParticipantMerged(
        merged_participant_id=OTHER,
        surviving_participant_id=PERSON,
        reason=MergeReason.DOCUMENT_MATCH,
        merged_by=STAFF,
        merged_at=NOW,
    )
    gone = register.MergeParticipant(
        person(registered(OTHER), merged), MergeReason.DOCUMENT_MATCH, STAFF, NOW
    )
    refused("surviving_merged", lambda: register.merge(gone, state))
    again = person(
        registered(),
        merged.model_copy(
            update={"merged_participant_id": PERSON, "surviving_participant_id": OTHER}
        ),
    )
    refused("participant_merged", lambda: register.merge(_merge(registered(OTHER)), again))


def test_consent_given_then_partly_withdrawn_then_missing() -> None:
    give = consent.GiveConsent(
        CONSENT,
        frozenset({ConsentPurpose.SERVICES, ConsentPurpose.REFERRAL_SHARING}),
        ConsentGiver.GUARDIAN,
        STAFF,
        NOW,
    )
    only(consent.give(give, person(registered())), ConsentGiven, given_by=ConsentGiver.GUARDIAN)
    state = person(registered(), *consent.give(give, person(registered())))
    withdraw = consent.WithdrawConsent(
        CONSENT,
        frozenset({ConsentPurpose.SERVICES}),
        ConsentWithdrawalReason.PARTICIPANT_REQUEST,
        STAFF,
        NOW,
    )
    events = consent.withdraw(withdraw, state)
    only(events, ConsentWithdrawn, purposes=(ConsentPurpose.SERVICES,))
    after = person(registered(), *consent.give(give, person(registered())), *events)
    assert after.standing_purposes == {ConsentPurpose.REFERRAL_SHARING}
    missing = refused("consent_missing", lambda: require_consent(after, ConsentPurpose.SERVICES))
    assert "'services'" in missing.message
    refused("purpose_not_granted", lambda: consent.withdraw(withdraw, after))


def test_consent_refusals() -> None:
    withdraw = consent.WithdrawConsent(
        uuid.uuid4(), None, ConsentWithdrawalReason.RECORDED_IN_ERROR, STAFF, NOW
    )
    refused("consent_not_found", lambda: consent.withdraw(withdraw, person(registered())))
    all_of_it = consent.WithdrawConsent(
        CONSENT, None, ConsentWithdrawalReason.PARTICIPANT_REQUEST, STAFF, NOW
    )
    state = person(registered(), consented())
    done = person(registered(), consented(), *consent.withdraw(all_of_it, state))
    refused("consent_already_withdrawn", lambda: consent.withdraw(all_of_it, done))
    give = consent.GiveConsent(CONSENT, frozenset(), ConsentGiver.PARTICIPANT, STAFF, NOW)
    refused("no_purpose", lambda: consent.give(give, person(registered())))


def test_outreach_reaches_a_registered_person_not_in_the_future() -> None:
    reach = outreach.RecordReach(
        uuid.uuid4(),
        MessageTopic.HEALTH_SERVICES,
        MessageChannel.FAIR,
        DeliveryMode.IN_PERSON,
        Region.TUMBES,
        NOW,
        NOW,
    )
    only(outreach.reach(reach, person(registered())), MessageReached, region=Region.TUMBES)
    refused("participant_not_found", lambda: outreach.reach(reach, person()))
    later = outreach.RecordReach(
        reach.reach_id,
        reach.topic,
        reach.channel,
        reach.delivery_mode,
        reach.region,
        NOW + timedelta(days=1),
        NOW,
    )
    refused("reached_in_future", lambda: outreach.reach(later, person(registered())))


def test_consent_to_share_names_its_destinations_only_with_referral_sharing() -> None:
    sharing = frozenset({ConsentPurpose.REFERRAL_SHARING})
    cem = frozenset({ReferralDestination.CEM})
    give = consent.GiveConsent(CONSENT, sharing, ConsentGiver.PARTICIPANT, STAFF, NOW, cem)
    only(
        consent.give(give, person(registered())),
        ConsentGiven,
        destinations=(ReferralDestination.CEM,),
    )
    services = frozenset({ConsentPurpose.SERVICES})
    wrong = consent.GiveConsent(CONSENT, services, ConsentGiver.PARTICIPANT, STAFF, NOW, cem)
    refused("destinations_without_sharing", lambda: consent.give(wrong, person(registered())))


def _erased() -> ParticipantErased:
    return ParticipantErased(participant_id=PERSON, erased_by=STAFF, erased_at=NOW)


def test_erasure_is_announced_once_with_no_personal_data() -> None:
    only(register.erase(person(registered()), STAFF, NOW), ParticipantErased,
         participant_id=PERSON, erased_by=STAFF)  # fmt: skip
    refused(
        "participant_erased", lambda: register.erase(person(registered(), _erased()), STAFF, NOW)
    )
    refused("participant_not_found", lambda: register.erase(person(), STAFF, NOW))


def test_nothing_new_is_recorded_about_an_erased_person() -> None:
    gone = person(registered(), consented(ConsentPurpose.SERVICES), _erased())
    reach = outreach.RecordReach(
        uuid.uuid4(), MessageTopic.HEALTH_SERVICES, MessageChannel.FAIR, DeliveryMode.IN_PERSON,
        Region.PIURA, NOW, NOW,
    )  # fmt: skip
    refused("participant_erased", lambda: outreach.reach(reach, gone))
    merge = register.MergeParticipant(person(registered(OTHER)), MergeReason.DOCUMENT_MATCH,
                                      STAFF, NOW)  # fmt: skip
    refused("participant_erased", lambda: register.merge(merge, gone))
    into_gone = register.MergeParticipant(gone, MergeReason.DOCUMENT_MATCH, STAFF, NOW)
    refused("participant_erased", lambda: register.merge(into_gone, person(registered(OTHER))))
