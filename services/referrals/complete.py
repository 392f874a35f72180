"""Complete a referral: the unit reports what it did for the person."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.referrals import ReferralCompleted, ReferralOutcome
from services.referrals.answer import Answer, checked
from services.referrals.referral import Referral, Transition


@dataclass(frozen=True)
class Complete:
    """The unit's outcome, or a caseworker's record of it with evidence."""

    outcome: ReferralOutcome
    answer: Answer


def decide(command: Complete, state: Referral) -> list[ReferralCompleted]:
    """Only an accepted referral completes."""
    answer = command.answer
    facts = checked(state, Transition.COMPLETE, answer)
    return [
        ReferralCompleted(
            referral_id=facts.referral_id,
            case_id=facts.case_id,
            participant_id=facts.participant_id,
            destination=facts.destination,
            destination_org_id=facts.unit_id,
            assistance_type=facts.assistance_type,
            region=facts.region,
            admin2=facts.admin2,
            completed_by=answer.by,
            completed_at=answer.at,
            outcome=command.outcome,
            channel=answer.channel,
            answerer_role=answer.answerer_role,
        )
    ]
