"""Approve a voucher: a supervisor lets an above-cap voucher be redeemed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from contracts.vouchers import VoucherApproved
from eventkit.decider import RefusalKind, Refused
from eventkit.field_time import PROGRAM_RULES, FieldTimeRules, happened
from services.vouchers.voucher import Status, Voucher


@dataclass(frozen=True)
class ApproveVoucher:
    approved_by: UUID
    now: datetime
    occurred_at: datetime | None = None
    rules: FieldTimeRules = PROGRAM_RULES


def decide(command: ApproveVoucher, state: Voucher) -> list[VoucherApproved]:
    """Only a voucher awaiting approval (above the standard cap) can be approved."""
    voucher_id, participant_id = state.identity()
    if state.status is not Status.AWAITING_APPROVAL:
        raise Refused(
            "not_awaiting_approval",
            f"the voucher is {state.status}, not awaiting approval",
            RefusalKind.CONFLICT,
        )
    approved_at = happened(
        "approved", command.occurred_at, command.now, command.rules, [("issue", state.issued_at)]
    )
    return [
        VoucherApproved(
            voucher_id=voucher_id,
            participant_id=participant_id,
            amount=state.amount,
            approved_by=command.approved_by,
            approved_at=approved_at,
        )
    ]
