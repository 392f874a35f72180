"""Cancel a referral: the referring caseworker withdraws it before it is completed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from contracts.referrals import ReferralCancellationReason, ReferralCancelled
from services.referrals.referral import Referral, Transition, require


@dataclass(frozen=True)
class Cancel:
    """Who withdraws the referral, why, and when."""

    reason: ReferralCancellationReason
    cancelled_by: UUID
    now: datetime


def decide(command: Cancel, state: Referral) -> list[ReferralCancelled]:
    """Waiting, overdue or accepted referrals can be cancelled; closed ones cannot."""
    facts = require(state, Transition.CANCEL)
    return [
        ReferralCancelled(
            referral_id=facts.referral_id,
            participant_id=facts.participant_id,
            reason=command.reason,
            cancelled_by=command.cancelled_by,
            cancelled_at=command.now,
        )
    ]
