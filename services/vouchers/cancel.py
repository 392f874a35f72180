"""Cancel a voucher: a caseworker withdraws one that was not used."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from contracts.vouchers import VoucherCancellationReason, VoucherCancelled
from eventkit.decider import RefusalKind, Refused
from eventkit.field_time import PROGRAM_RULES, FieldTimeRules, happened
from services.vouchers.voucher import Status, Voucher


@dataclass(frozen=True)
class CancelVoucher:
    reason: VoucherCancellationReason
    cancelled_by: UUID
    now: datetime
    occurred_at: datetime | None = None
    rules: FieldTimeRules = PROGRAM_RULES


def decide(command: CancelVoucher, state: Voucher) -> list[VoucherCancelled]:
    """Only a voucher with nothing redeemed (or all reversed) can be cancelled."""
    voucher_id, participant_id = state.identity()
    if state.status in (Status.CANCELLED, Status.EXPIRED):
        raise Refused(
            str(state.status), f"the voucher is already {state.status}", RefusalKind.CONFLICT
        )
    if state.redemptions:
        raise Refused(
            "has_redemptions",
            "the voucher has redemptions; reverse them first",
            RefusalKind.CONFLICT,
        )
    cancelled_at = happened(
        "cancelled", command.occurred_at, command.now, command.rules, [("issue", state.issued_at)]
    )
    return [
        VoucherCancelled(
            voucher_id=voucher_id,
            participant_id=participant_id,
            reason=command.reason,
            cancelled_by=command.cancelled_by,
            cancelled_at=cancelled_at,
        )
    ]
