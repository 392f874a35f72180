"""Mark a referral overdue: unanswered past its deadline (`deadlines.py`), it is followed up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from contracts.referrals import ReferralOverdue
from services.referrals.referral import Referral, Status, Transition, require


@dataclass(frozen=True)
class MarkOverdue:
    """The moment the overdue worker looks."""

    now: datetime


def decide(command: MarkOverdue, state: Referral) -> list[ReferralOverdue]:
    """Past its deadline an unanswered referral is overdue; otherwise nothing (safe to repeat)."""
    if state.status is not Status.REQUESTED or state.facts is None:
        return []
    if command.now < state.facts.respond_by:
        return []
    facts = require(state, Transition.BECOME_OVERDUE)
    return [
        ReferralOverdue(
            referral_id=facts.referral_id,
            participant_id=facts.participant_id,
            destination_org_id=facts.unit_id,
            respond_by=facts.respond_by,
            detected_at=command.now,
        )
    ]
