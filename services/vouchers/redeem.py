"""Redeem a voucher: a partner provider records the care it gave and what it is owed.

Expiry is judged at the time of service: a clinic that served before `valid_until` and could
only send the redemption later is paid, even if the expiry process has marked the voucher
expired meanwhile, as long as it sends it within the claim window
(`FieldTimeRules.claim_window`, 60 days by default). Past the window only a supervisor may
record it (`beyond_claim_window`). The voucher stays expired for any care after its date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from contracts.vocabulary import Region, VoucherService
from contracts.vouchers import VoucherRedeemed
from eventkit.decider import RefusalKind, Refused
from eventkit.field_time import PROGRAM_RULES, FieldTimeRules, happened
from program.known import program_currency
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
    occurred_at: datetime | None = None  # when the clinic served; None: now
    rules: FieldTimeRules = PROGRAM_RULES
    beyond_claim_window: bool = False  # a supervisor records it (late billing, an import)


def redeemable(
    state: Voucher, provider_id: UUID, provider_region: Region, served_at: datetime
) -> None:
    """Raise `Refused` naming the rule when this provider can't redeem the voucher for care
    given at `served_at` (expiry is judged then, not when the redemption arrives)."""
    if state.status is Status.NOT_ISSUED:
        raise Refused("voucher_not_found", "no such voucher", RefusalKind.NOT_FOUND)
    if state.status is Status.AWAITING_APPROVAL:
        raise Refused(
            "awaiting_approval", "the voucher awaits a supervisor's approval", RefusalKind.CONFLICT
        )
    if state.status is Status.CANCELLED:
        raise Refused("cancelled", "the voucher was cancelled", RefusalKind.CONFLICT)
    if state.valid_until and served_at > state.valid_until:
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
    served_at = command.occurred_at or command.now
    redeemable(state, command.provider_id, command.provider_region, served_at)
    happened(
        "redeemed", served_at, command.now, command.rules,
        [("issue", state.issued_at), ("approval", state.approved_at)],
    )  # fmt: skip
    if command.now - served_at > command.rules.claim_window and not command.beyond_claim_window:
        raise Refused(
            "claim_window_passed",
            f"care given on {served_at:%Y-%m-%d} is claimed more than "
            f"{command.rules.claim_window.days} days later; a supervisor records it",
            RefusalKind.FORBIDDEN,
        )
    if command.amount <= 0:
        raise Refused(
            "amount_not_positive",
            f"amount must be greater than 0.00 {program_currency()}",
            RefusalKind.INVALID,
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
            f"amount {command.amount} {program_currency()} exceeds what remains on the voucher "
            f"({state.remaining} {program_currency()})",
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
            admin2=state.admin2,
            redeemed_at=served_at,
        )
    ]
