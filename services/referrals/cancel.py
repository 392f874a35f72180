"""Cancel a referral: the referring caseworker withdraws it before it is completed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from contracts.referrals import ReferralCancellationReason, ReferralCancelled
from eventkit.field_time import PROGRAM_RULES, FieldTimeRules, happened
from services.referrals.referral import Referral, Transition, require


@dataclass(frozen=True)
class Cancel:
    """Who withdraws the referral, why, and when."""

    reason: ReferralCancellationReason
    cancelled_by: UUID
    now: datetime
    occurred_at: datetime | None = None
    rules: FieldTimeRules = PROGRAM_RULES


def decide(command: Cancel, state: Referral) -> list[ReferralCancelled]:
    """Waiting, overdue or accepted referrals can be cancelled; closed ones cannot."""
    facts = require(state, Transition.CANCEL)
    cancelled_at = happened(
        "cancelled",
        command.occurred_at,
        command.now,
        command.rules,
        [("request", facts.requested_at)],
    )
    return [
        ReferralCancelled(
            referral_id=facts.referral_id,
            participant_id=facts.participant_id,
            reason=command.reason,
            cancelled_by=command.cancelled_by,
            cancelled_at=cancelled_at,
        )
    ]
