"""Expire a voucher: past its date an open voucher can no longer be redeemed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from contracts.vouchers import VoucherExpired
from services.vouchers.voucher import Status, Voucher


@dataclass(frozen=True)
class ExpireVoucher:
    now: datetime


def decide(command: ExpireVoucher, state: Voucher) -> list[VoucherExpired]:
    """Past its date an open voucher expires; otherwise nothing happens (safe to repeat)."""
    if state.status not in (Status.ACTIVE, Status.AWAITING_APPROVAL):
        return []
    if state.valid_until is None or command.now <= state.valid_until:
        return []
    voucher_id, participant_id = state.identity()
    return [
        VoucherExpired(
            voucher_id=voucher_id,
            participant_id=participant_id,
            valid_until=state.valid_until,
            expired_at=command.now,
        )
    ]
