"""Cancel a referral: the referring caseworker withdraws it before it is completed."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from contracts.referrals import ReferralCancellationReason, ReferralCancelled
from services.referrals.referral import Referral, Transition, require


def cancel(
    state: Referral, reason: ReferralCancellationReason, cancelled_by: UUID, now: datetime
) -> list[ReferralCancelled]:
    """Waiting, overdue or accepted referrals can be cancelled; closed ones cannot."""
    facts = require(state, Transition.CANCEL)
    return [
        ReferralCancelled(
            referral_id=facts.referral_id,
            participant_id=facts.participant_id,
            reason=reason,
            cancelled_by=cancelled_by,
            cancelled_at=now,
        )
    ]
