"""Accept a referral: the unit takes it on (also after the deadline: a late answer counts)."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.referrals import ReferralAccepted
from services.referrals.answer import Answer, checked
from services.referrals.referral import Referral, Transition


@dataclass(frozen=True)
class Accept:
    """The unit's acceptance, or a caseworker's record of it with evidence."""

    answer: Answer


def decide(command: Accept, state: Referral) -> list[ReferralAccepted]:
    """A waiting or overdue referral is accepted at the moment the unit answered."""
    answer = command.answer
    facts = checked(state, Transition.ACCEPT, answer)
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
