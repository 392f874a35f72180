"""The receiving unit's answers: accept, reject with a reason, complete with an outcome.

A unit with a system account answers itself through the API. For a unit without one, a
caseworker records the answer on its behalf with `Evidence`: who at the unit answered (a role),
when, and how it came (phone, letter...). The time to answer is measured to `answered_at`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

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
from services.referrals.referral import Referral, Requested, Transition, require


@dataclass(frozen=True)
class Evidence:
    """How an answer recorded on a unit's behalf was given."""

    answerer_role: AnswererRole
    channel: AnswerChannel
    answered_at: datetime


@dataclass(frozen=True)
class Answer:
    """Who records an answer (the unit, or a caseworker with evidence) and when."""

    by: UUID
    now: datetime
    evidence: Evidence | None = None

    @property
    def at(self) -> datetime:
        """When the unit answered: now, or the moment the evidence names."""
        return self.evidence.answered_at if self.evidence else self.now

    @property
    def channel(self) -> AnswerChannel:
        return self.evidence.channel if self.evidence else AnswerChannel.API

    @property
    def answerer_role(self) -> AnswererRole | None:
        return self.evidence.answerer_role if self.evidence else None


def _checked(state: Referral, transition: Transition, answer: Answer) -> Requested:
    facts = require(state, transition)
    if answer.evidence is not None:
        if answer.evidence.channel is AnswerChannel.API:
            raise Refused(
                "channel_api",
                "an answer recorded on a unit's behalf did not come through the API: name the"
                " channel it came through",
                RefusalKind.INVALID,
            )
        if answer.at > answer.now:
            raise Refused("answered_in_future", "answered_at is in the future", RefusalKind.INVALID)
        if answer.at < facts.requested_at:
            raise Refused(
                "answered_before_request", "answered_at is before the request", RefusalKind.INVALID
            )
    return facts


def accept(state: Referral, answer: Answer) -> list[ReferralAccepted]:
    """The unit takes the referral on (also after the deadline: a late answer still counts)."""
    facts = _checked(state, Transition.ACCEPT, answer)
    return [
        ReferralAccepted(
            referral_id=facts.referral_id,
            participant_id=facts.participant_id,
            destination_org_id=facts.unit_id,
            accepted_by=answer.by,
            accepted_at=answer.at,
            channel=answer.channel,
            answerer_role=answer.answerer_role,
        )
    ]


def reject(
    state: Referral, reason: ReferralRejectionReason, answer: Answer
) -> list[ReferralRejected]:
    """The unit turns the referral down, with a reason from the list (no free text)."""
    facts = _checked(state, Transition.REJECT, answer)
    return [
        ReferralRejected(
            referral_id=facts.referral_id,
            participant_id=facts.participant_id,
            destination_org_id=facts.unit_id,
            reason=reason,
            rejected_by=answer.by,
            rejected_at=answer.at,
            channel=answer.channel,
            answerer_role=answer.answerer_role,
        )
    ]


def complete(state: Referral, outcome: ReferralOutcome, answer: Answer) -> list[ReferralCompleted]:
    """The unit reports what it did for the person; only an accepted referral completes."""
    facts = _checked(state, Transition.COMPLETE, answer)
    return [
        ReferralCompleted(
            referral_id=facts.referral_id,
            case_id=facts.case_id,
            participant_id=facts.participant_id,
            destination=facts.destination,
            destination_org_id=facts.unit_id,
            assistance_type=facts.assistance_type,
            region=facts.region,
            completed_by=answer.by,
            completed_at=answer.at,
            outcome=outcome,
            channel=answer.channel,
            answerer_role=answer.answerer_role,
        )
    ]
