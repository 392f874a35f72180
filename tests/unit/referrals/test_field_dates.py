"""Referrals dated in the field: the request, the unit's answers and a cancellation take the
moment they happened, never in the future nor before what they depend on."""

from __future__ import annotations

from datetime import datetime, timedelta

from contracts.referrals import (
    AnswerChannel,
    AnswererRole,
    ReferralAccepted,
    ReferralCancellationReason,
    ReferralCancelled,
    ReferralCompleted,
    ReferralOutcome,
    ReferralRequested,
)
from services.referrals import accept, answer, cancel, complete
from services.referrals.referral import Referral, Status
from services.referrals.request_referral import decide as request
from tests.support.deciders import then_only, then_refused, when
from tests.unit.referrals.givens import (
    CASEWORKER,
    T0,
    UNIT_ACTOR,
    history,
    referral,
    requesting,
)

NOW = T0 + timedelta(days=20)


def _answer(at: datetime, *, evidence: bool = False) -> answer.Answer:
    if evidence:
        return answer.Answer(
            CASEWORKER, NOW, answer.Evidence(AnswererRole.FOCAL_POINT, AnswerChannel.PHONE, at)
        )
    return answer.Answer(UNIT_ACTOR, NOW, occurred_at=at)


def test_a_request_carries_when_it_was_made_in_the_field() -> None:
    back = T0 - timedelta(days=30)
    command = requesting(now=T0, occurred_at=back, respond_by=back + timedelta(days=3))
    then_only(when(request, command, Referral()), ReferralRequested, requested_at=back)


def test_a_request_in_the_future_or_before_the_program_is_refused() -> None:
    ahead = requesting(occurred_at=T0 + timedelta(hours=1), respond_by=T0 + timedelta(days=3))
    then_refused(when(request, ahead, Referral()), "requested_in_future")
    old = requesting(occurred_at=T0.replace(year=2021, month=1))
    then_refused(when(request, old, Referral()), "requested_before_program_start")


def test_a_request_before_its_cases_opening_or_its_consent_is_refused() -> None:
    back = T0 - timedelta(days=30)
    due = back + timedelta(days=3)
    early = requesting(occurred_at=back, respond_by=due, opened_at=back + timedelta(hours=1))
    then_refused(when(request, early, Referral()), "requested_before_opening")
    unconsented = requesting(occurred_at=back, respond_by=due, consented_at=back + timedelta(1))
    then_refused(when(request, unconsented, Referral()), "requested_before_consent")
    after_both = requesting(occurred_at=back, respond_by=due, opened_at=back, consented_at=back)
    then_only(when(request, after_both, Referral()), ReferralRequested, requested_at=back)


def test_a_unit_answer_dated_in_the_field_is_kept() -> None:
    at = T0 + timedelta(days=2)
    decided = when(accept.decide, accept.Accept(_answer(at)), referral(*history(Status.REQUESTED)))
    then_only(decided, ReferralAccepted, accepted_at=at, channel=AnswerChannel.API)


def test_an_answer_before_the_request_is_refused_whoever_records_it() -> None:
    before = T0 - timedelta(minutes=1)
    state = referral(*history(Status.REQUESTED))
    then_refused(when(accept.decide, accept.Accept(_answer(before)), state),
                 "answered_before_request")  # fmt: skip
    then_refused(when(accept.decide, accept.Accept(_answer(before, evidence=True)), state),
                 "answered_before_request")  # fmt: skip


def test_an_answer_in_the_future_is_refused() -> None:
    ahead = NOW + timedelta(hours=1)
    state = referral(*history(Status.REQUESTED))
    then_refused(when(accept.decide, accept.Accept(_answer(ahead)), state), "answered_in_future")


def test_a_completion_before_the_acceptance_is_refused() -> None:
    state = referral(*history(Status.ACCEPTED))  # accepted at T0 + 1h
    early = complete.Complete(ReferralOutcome.ATTENDED, _answer(T0 + timedelta(minutes=30)))
    then_refused(when(complete.decide, early, state), "answered_before_acceptance")
    at = T0 + timedelta(days=3)
    done = complete.Complete(ReferralOutcome.ATTENDED, _answer(at))
    then_only(when(complete.decide, done, state), ReferralCompleted, completed_at=at)


def test_a_cancellation_before_the_request_is_refused() -> None:
    state = referral(*history(Status.REQUESTED))
    reason = ReferralCancellationReason.CONTACT_LOST
    early = cancel.Cancel(reason, CASEWORKER, NOW, occurred_at=T0 - timedelta(hours=1))
    then_refused(when(cancel.decide, early, state), "cancelled_before_request")
    at = T0 + timedelta(days=1)
    ok = cancel.Cancel(reason, CASEWORKER, NOW, occurred_at=at)
    then_only(when(cancel.decide, ok, state), ReferralCancelled, cancelled_at=at)


def test_the_opening_and_consent_come_from_another_clock_compared_within_the_allowance() -> None:
    back = T0 - timedelta(days=30)
    due = back + timedelta(days=3)
    skewed = requesting(occurred_at=back, respond_by=due, opened_at=back + timedelta(minutes=2),
                        consented_at=back + timedelta(minutes=4))  # fmt: skip
    then_only(when(request, skewed, Referral()), ReferralRequested, requested_at=back)
    beyond = requesting(occurred_at=back, respond_by=due, opened_at=back + timedelta(minutes=6))
    then_refused(when(request, beyond, Referral()), "requested_before_opening")
