"""Approve, cancel, expire, and reverse a redemption: the rest of a voucher's life."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from contracts.vouchers import (
    ReversalReason,
    VoucherApproved,
    VoucherCancellationReason,
    VoucherCancelled,
    VoucherExpired,
    VoucherReversed,
)
from eventkit.decider import RefusalKind, Refused
from services.vouchers.voucher import Status, Voucher


def _exists(state: Voucher) -> tuple[UUID, UUID]:
    if state.status is Status.NOT_ISSUED or not state.voucher_id or not state.participant_id:
        raise Refused("voucher_not_found", "no such voucher", RefusalKind.NOT_FOUND)
    return state.voucher_id, state.participant_id


def approve(state: Voucher, approved_by: UUID, now: datetime) -> list[VoucherApproved]:
    """A supervisor lets an above-cap voucher be redeemed."""
    voucher_id, participant_id = _exists(state)
    if state.status is not Status.AWAITING_APPROVAL:
        raise Refused(
            "not_awaiting_approval",
            f"the voucher is {state.status}, not awaiting approval",
            RefusalKind.CONFLICT,
        )
    return [
        VoucherApproved(
            voucher_id=voucher_id,
            participant_id=participant_id,
            amount=state.amount,
            approved_by=approved_by,
            approved_at=now,
        )
    ]


def cancel(
    state: Voucher, reason: VoucherCancellationReason, cancelled_by: UUID, now: datetime
) -> list[VoucherCancelled]:
    """Only a voucher with nothing redeemed (or all reversed) can be cancelled."""
    voucher_id, participant_id = _exists(state)
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
    return [
        VoucherCancelled(
            voucher_id=voucher_id,
            participant_id=participant_id,
            reason=reason,
            cancelled_by=cancelled_by,
            cancelled_at=now,
        )
    ]


def expire(state: Voucher, now: datetime) -> list[VoucherExpired]:
    """Past its date an open voucher expires; otherwise nothing happens (safe to repeat)."""
    if state.status not in (Status.ACTIVE, Status.AWAITING_APPROVAL):
        return []
    if state.valid_until is None or now <= state.valid_until:
        return []
    voucher_id, participant_id = _exists(state)
    return [
        VoucherExpired(
            voucher_id=voucher_id,
            participant_id=participant_id,
            valid_until=state.valid_until,
            expired_at=now,
        )
    ]


@dataclass(frozen=True)
class ReverseRedemption:
    redemption_id: UUID
    provider_id: UUID
    reason: ReversalReason
    reversed_by: UUID
    now: datetime


def reverse(command: ReverseRedemption, state: Voucher) -> list[VoucherReversed]:
    """An administrator undoes a redemption: it is no longer paid nor counted."""
    voucher_id, participant_id = _exists(state)
    if command.redemption_id in state.reversed:
        raise Refused(
            "already_reversed", "the redemption was already reversed", RefusalKind.CONFLICT
        )
    if command.redemption_id not in state.redemptions:
        raise Refused(
            "redemption_not_found", "no such redemption on this voucher", RefusalKind.NOT_FOUND
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
            reversed_at=command.now,
        )
    ]
