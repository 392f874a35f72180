"""The voucher aggregate's state, folded from its events (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from contracts.event import Event
from contracts.vocabulary import Region, VoucherService
from contracts.vouchers import (
    VoucherApproved,
    VoucherCancelled,
    VoucherExpired,
    VoucherIssued,
    VoucherRedeemed,
    VoucherReversed,
)
from eventkit.decider import RefusalKind, Refused


class Status(StrEnum):
    """Where a voucher is in its life."""

    NOT_ISSUED = "not_issued"
    AWAITING_APPROVAL = "awaiting_approval"
    ACTIVE = "active"
    REDEEMED = "redeemed"  # nothing left to redeem (single use, or the whole amount)
    CANCELLED = "cancelled"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Voucher:
    """Everything the rules need to know about one voucher."""

    status: Status = Status.NOT_ISSUED
    voucher_id: UUID | None = None
    participant_id: UUID | None = None
    provider_id: UUID | None = None
    region: Region | None = None
    admin2: str | None = None
    services: frozenset[VoucherService] = frozenset()
    amount: Decimal = Decimal("0.00")
    allows_partial: bool = False
    valid_until: datetime | None = None
    issued_at: datetime | None = None
    approved_at: datetime | None = None
    redeemed_on: dict[UUID, datetime] = field(default_factory=dict)  # when each was served
    redemptions: dict[UUID, Decimal] = field(default_factory=dict)  # not reversed
    reversed: frozenset[UUID] = frozenset()

    @property
    def redeemed(self) -> Decimal:
        return sum(self.redemptions.values(), Decimal("0.00"))

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.redeemed

    def identity(self) -> tuple[UUID, UUID]:
        """The voucher's and its participant's ids; refused (not found) before it is issued."""
        if self.status is Status.NOT_ISSUED or not self.voucher_id or not self.participant_id:
            raise Refused("voucher_not_found", "no such voucher", RefusalKind.NOT_FOUND)
        return self.voucher_id, self.participant_id


def evolve(state: Voucher, event: Event) -> Voucher:
    """The state after one more event."""
    match event:
        case VoucherIssued():
            return Voucher(
                status=Status.AWAITING_APPROVAL if event.requires_approval else Status.ACTIVE,
                voucher_id=event.voucher_id,
                participant_id=event.participant_id,
                provider_id=event.provider_id,
                region=event.region,
                admin2=event.admin2,
                services=frozenset(event.services),
                amount=event.amount,
                allows_partial=event.allows_partial,
                valid_until=event.valid_until,
                issued_at=event.issued_at,
            )
        case VoucherApproved():
            return replace(
                state, status=Status.ACTIVE, amount=event.amount, approved_at=event.approved_at
            )
        case VoucherRedeemed():
            after = replace(
                state,
                redemptions={**state.redemptions, event.redemption_id: event.amount},
                redeemed_on={**state.redeemed_on, event.redemption_id: event.redeemed_at},
            )
            return replace(after, status=_redeemed_or(after, state.status))
        case VoucherReversed():
            left = {k: v for k, v in state.redemptions.items() if k != event.redemption_id}
            after = replace(
                state, redemptions=left, reversed=state.reversed | {event.redemption_id}
            )
            freed = Status.ACTIVE if state.status is Status.REDEEMED else state.status
            return replace(after, status=_redeemed_or(after, freed))
        case VoucherCancelled():
            return replace(state, status=Status.CANCELLED)
        case VoucherExpired():
            return replace(state, status=Status.EXPIRED)
    return state


def _redeemed_or(state: Voucher, otherwise: Status) -> Status:
    """`redeemed` once nothing is left to redeem (a single-use voucher used once, or its whole
    amount), else `otherwise`: a voucher with 0.00 left does not read as active."""
    used_up = (not state.allows_partial and state.redemptions) or state.remaining <= 0
    return Status.REDEEMED if used_up else otherwise
