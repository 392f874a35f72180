"""Consent: given participant events, when consent is given or withdrawn, then events or a
refusal."""

from __future__ import annotations

import uuid

from contracts.consent import ConsentGiven, ConsentGiver, ConsentWithdrawalReason, ConsentWithdrawn
from contracts.vocabulary import ConsentPurpose
from services.cases import give_consent, withdraw_consent
from services.cases.participant import require_consent
from tests.support.deciders import then_only, then_refused, when
from tests.support.peru import ReferralDestination
from tests.unit.cases.givens import (
    CONSENT,
    NOW,
    STAFF,
    consented,
    person,
    registered,
)


def test_consent_given_then_partly_withdrawn_then_missing() -> None:
    give = give_consent.GiveConsent(
        CONSENT,
        frozenset({ConsentPurpose.SERVICES, ConsentPurpose.REFERRAL_SHARING}),
        ConsentGiver.GUARDIAN,
        STAFF,
        NOW,
    )
    then_only(
        give_consent.decide(give, person(registered())),
        ConsentGiven,
        given_by=ConsentGiver.GUARDIAN,
    )
    state = person(registered(), *give_consent.decide(give, person(registered())))
    withdraw = withdraw_consent.WithdrawConsent(
        CONSENT,
        frozenset({ConsentPurpose.SERVICES}),
        ConsentWithdrawalReason.PARTICIPANT_REQUEST,
        STAFF,
        NOW,
    )
    events = withdraw_consent.decide(withdraw, state)
    then_only(events, ConsentWithdrawn, purposes=(ConsentPurpose.SERVICES,))
    after = person(registered(), *give_consent.decide(give, person(registered())), *events)
    assert after.standing_purposes == {ConsentPurpose.REFERRAL_SHARING}
    missing = then_refused(when(require_consent, after, ConsentPurpose.SERVICES), "consent_missing")
    assert "'services'" in missing.message
    then_refused(when(withdraw_consent.decide, withdraw, after), "purpose_not_granted")


def test_consent_refusals() -> None:
    withdraw = withdraw_consent.WithdrawConsent(
        uuid.uuid4(), None, ConsentWithdrawalReason.RECORDED_IN_ERROR, STAFF, NOW
    )
    then_refused(when(withdraw_consent.decide, withdraw, person(registered())), "consent_not_found")
    all_of_it = withdraw_consent.WithdrawConsent(
        CONSENT, None, ConsentWithdrawalReason.PARTICIPANT_REQUEST, STAFF, NOW
    )
    state = person(registered(), consented())
    done = person(registered(), consented(), *withdraw_consent.decide(all_of_it, state))
    then_refused(when(withdraw_consent.decide, all_of_it, done), "consent_already_withdrawn")
    give = give_consent.GiveConsent(CONSENT, frozenset(), ConsentGiver.PARTICIPANT, STAFF, NOW)
    then_refused(when(give_consent.decide, give, person(registered())), "no_purpose")


def test_consent_to_share_names_its_destinations_only_with_referral_sharing() -> None:
    sharing = frozenset({ConsentPurpose.REFERRAL_SHARING})
    cem = frozenset({ReferralDestination.CEM})
    give = give_consent.GiveConsent(CONSENT, sharing, ConsentGiver.PARTICIPANT, STAFF, NOW, cem)
    then_only(
        give_consent.decide(give, person(registered())),
        ConsentGiven,
        destinations=(ReferralDestination.CEM,),
    )
    services = frozenset({ConsentPurpose.SERVICES})
    wrong = give_consent.GiveConsent(CONSENT, services, ConsentGiver.PARTICIPANT, STAFF, NOW, cem)
    then_refused(
        when(give_consent.decide, wrong, person(registered())), "destinations_without_sharing"
    )
