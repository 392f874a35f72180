"""Reverse a redemption: an administrator undoes it, so it is no longer paid nor counted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from contracts.vouchers import ReversalReason, VoucherReversed
from eventkit.decider import RefusalKind, Refused
from eventkit.field_time import PROGRAM_RULES, FieldTimeRules, happened
from services.vouchers.voucher import Voucher


@dataclass(frozen=True)
class ReverseRedemption:
    redemption_id: UUID
    provider_id: UUID
    reason: ReversalReason
    reversed_by: UUID
    now: datetime
    occurred_at: datetime | None = None
    rules: FieldTimeRules = PROGRAM_RULES


def decide(command: ReverseRedemption, state: Voucher) -> list[VoucherReversed]:
    """A redemption is reversed once; what it took becomes redeemable again."""
    voucher_id, participant_id = state.identity()
    if command.redemption_id in state.reversed:
        raise Refused(
            "already_reversed", "the redemption was already reversed", RefusalKind.CONFLICT
        )
    if command.redemption_id not in state.redemptions:
        raise Refused(
            "redemption_not_found", "no such redemption on this voucher", RefusalKind.NOT_FOUND
        )
    served = state.redeemed_on.get(command.redemption_id)
    reversed_at = happened(
        "reversed", command.occurred_at, command.now, command.rules, [("redemption", served)]
    )
    return [
        VoucherReversed(
            voucher_id=voucher_id,
            redemption_id=command.redemption_id,
            participant_id=participant_id,
            provider_id=command.provider_id,
            amount=state.redemptions[command.redemption_id],
            reason=command.reason,
            reversed_by=command.reversed_by,
            reversed_at=reversed_at,
        )
    ]
