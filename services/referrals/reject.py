"""Reject a referral: the unit turns it down, with a reason from the list (no free text)."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.referrals import ReferralRejected, ReferralRejectionReason
from services.referrals.answer import Answer, checked
from services.referrals.referral import Referral, Transition


@dataclass(frozen=True)
class Reject:
    """The unit's rejection and its reason, or a caseworker's record of it with evidence."""

    reason: ReferralRejectionReason
    answer: Answer


def decide(command: Reject, state: Referral) -> list[ReferralRejected]:
    """A waiting or overdue referral is rejected at the moment the unit answered."""
    answer = command.answer
    facts = checked(state, Transition.REJECT, answer)
    return [
        ReferralRejected(
            referral_id=facts.referral_id,
            participant_id=facts.participant_id,
            destination_org_id=facts.unit_id,
            reason=command.reason,
            rejected_by=answer.by,
            rejected_at=answer.at,
            channel=answer.channel,
            answerer_role=answer.answerer_role,
        )
    ]
