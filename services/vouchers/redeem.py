"""Redeem a voucher: a partner provider records the care it gave and what it is owed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from contracts.vocabulary import Region, VoucherService
from contracts.vouchers import VoucherRedeemed
from eventkit.decider import RefusalKind, Refused
from services.vouchers.voucher import Status, Voucher


@dataclass(frozen=True)
class RedeemVoucher:
    voucher_id: UUID
    redemption_id: UUID
    provider_id: UUID
    provider_region: Region
    amount: Decimal
    services: frozenset[VoucherService]
    receipt_number: str
    now: datetime


def redeemable(state: Voucher, provider_id: UUID, provider_region: Region, now: datetime) -> None:
    """Raise `Refused` naming the rule when this provider can't redeem the voucher now."""
    if state.status is Status.NOT_ISSUED:
        raise Refused("voucher_not_found", "no such voucher", RefusalKind.NOT_FOUND)
    if state.status is Status.AWAITING_APPROVAL:
        raise Refused(
            "awaiting_approval", "the voucher awaits a supervisor's approval", RefusalKind.CONFLICT
        )
    if state.status is Status.CANCELLED:
        raise Refused("cancelled", "the voucher was cancelled", RefusalKind.CONFLICT)
    if state.status is Status.EXPIRED or (state.valid_until and now > state.valid_until):
        raise Refused(
            "expired",
            f"the voucher expired at {state.valid_until:%Y-%m-%dT%H:%MZ}",
            RefusalKind.CONFLICT,
        )
    if state.provider_id is not None and state.provider_id != provider_id:
        raise Refused(
            "wrong_provider", "the voucher was issued for another provider", RefusalKind.FORBIDDEN
        )
    if state.provider_id is None and state.region != provider_region:
        raise Refused(
            "wrong_region",
            f"the voucher is valid only at providers in {state.region}",
            RefusalKind.FORBIDDEN,
        )
    if not state.allows_partial and state.redemptions:
        raise Refused(
            "already_redeemed",
            "the voucher was already redeemed (single use)",
            RefusalKind.CONFLICT,
        )
    if state.remaining <= 0:
        raise Refused("fully_redeemed", "nothing remains on the voucher", RefusalKind.CONFLICT)


def decide(command: RedeemVoucher, state: Voucher) -> list[VoucherRedeemed]:
    """Never above the maximum, never after expiry or cancellation, never by another provider."""
    redeemable(state, command.provider_id, command.provider_region, command.now)
    if command.amount <= 0:
        raise Refused(
            "amount_not_positive", "amount must be greater than 0.00 PEN", RefusalKind.INVALID
        )
    not_covered = command.services - state.services
    if not_covered:
        raise Refused(
            "services_not_covered",
            f"the voucher does not cover: {', '.join(sorted(not_covered))}",
            RefusalKind.INVALID,
        )
    if command.amount > state.remaining:
        raise Refused(
            "exceeds_maximum",
            f"amount {command.amount} PEN exceeds what remains on the voucher "
            f"({state.remaining} PEN)",
            RefusalKind.INVALID,
        )
    assert state.voucher_id is not None
    assert state.participant_id is not None
    assert state.region is not None
    return [
        VoucherRedeemed(
            voucher_id=state.voucher_id,
            redemption_id=command.redemption_id,
            participant_id=state.participant_id,
            provider_id=command.provider_id,
            amount=command.amount,
            services=tuple(sorted(command.services)),
            receipt_number=command.receipt_number,
            region=state.region,
            redeemed_at=command.now,
        )
    ]
