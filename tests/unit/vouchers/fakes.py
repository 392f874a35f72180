"""The vouchers service layer's ports in memory: a `MemoryEventStore` and one small fake that
keeps what the PostgreSQL views would (codes, redemptions by receipt) and records the audit."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from access.audit_chain import AuditRecord
from access.principal import Principal, Role
from contracts.event import Event
from contracts.vouchers import VoucherIssued, VoucherRedeemed, VoucherReversed
from eventkit.aggregate import load_stream
from eventkit.decider import RefusalKind, Refused
from eventkit.memory_store import MemoryEventStore
from roster.reach import Person
from services.vouchers import commands
from services.vouchers.commands import Issued, Redeemed
from services.vouchers.ports import Ports, ReceiptRaced, Redeeming
from services.vouchers.requests import IssueRequest, RedeemRequest
from tests.support.peru import Region
from tests.unit.vouchers.givens import (
    CAP,
    CASE,
    CLINIC,
    CONSULTATION,
    LIMA,
    MEDICINES,
    NOW,
    PARTICIPANT,
    VOUCHER,
)

CASEWORKER = Principal("cw-1", "ngo-pe", Role.CASEWORKER, frozenset({Region.LIMA_CALLAO}))
SUPERVISOR = Principal("sup-1", "ngo-pe", Role.SUPERVISOR, frozenset({Region.LIMA_CALLAO}))


@dataclass
class World:
    """Everything outside the voucher's stream, as the service layer sees it."""

    store: MemoryEventStore = field(default_factory=MemoryEventStore)
    partners: dict[uuid.UUID, str] = field(default_factory=lambda: {CLINIC: LIMA})
    out_of_reach: bool = False
    budget_left: Decimal | None = None
    codes: dict[str, uuid.UUID] = field(default_factory=dict)
    redemptions: dict[uuid.UUID, VoucherRedeemed] = field(default_factory=dict)
    reversed: set[uuid.UUID] = field(default_factory=set)
    race_receipts: bool = False
    """Make the views refuse the next redemption's receipt, as a concurrent one would."""
    audit: list[AuditRecord] = field(default_factory=list)
    recorded: list[tuple[str, int]] = field(default_factory=list)
    opened: datetime | None = None
    """When the roster copy says the case was opened (None: not known)."""

    def ports(self) -> Ports:
        return Ports(self.store, self, self, self, self, self, self)

    async def participant(
        self, principal: Principal, action: str, participant_id: uuid.UUID
    ) -> Person:
        if self.out_of_reach:
            raise Refused("participant_not_found", "no such participant", RefusalKind.NOT_FOUND)
        return Person(participant_id, LIMA)

    async def case(
        self, principal: Principal, action: str, case_id: uuid.UUID, person: Person
    ) -> datetime | None:
        return self.opened

    async def reserve(self, region: str, on: date, amount: Decimal) -> None:
        if self.budget_left is None:
            return
        if amount > self.budget_left:
            raise Refused("budget_exceeded", "over budget", RefusalKind.CONFLICT)
        self.budget_left -= amount

    async def partner_region(self, provider_id: uuid.UUID) -> str | None:
        return self.partners.get(provider_id)

    async def redeeming(self, provider_id: uuid.UUID, code: str) -> Redeeming | None:
        if provider_id not in self.partners:
            return None
        voucher_id = self.codes.get(code)
        history = await load_stream(self.store, str(voucher_id)) if voucher_id else ([], 0)
        return Redeeming(self.partners[provider_id], voucher_id, history)

    async def voucher_by_code(self, code: str) -> uuid.UUID | None:
        return self.codes.get(code)

    async def in_use(
        self, provider_id: uuid.UUID, receipt: str
    ) -> tuple[uuid.UUID, uuid.UUID] | None:
        for r in self.redemptions.values():
            used = (r.provider_id, r.receipt_number) == (provider_id, receipt)
            if used and r.redemption_id not in self.reversed:
                return r.redemption_id, r.voucher_id
        return None

    async def provider_of(
        self, voucher_id: uuid.UUID, redemption_id: uuid.UUID
    ) -> uuid.UUID | None:
        found = self.redemptions.get(redemption_id)
        return found.provider_id if found and found.voucher_id == voucher_id else None

    async def record(self, events: Sequence[Event], version: int, code: str = "") -> None:
        for event in events:
            self.recorded.append((event.event_type, version))
            match event:
                case VoucherIssued():
                    self.codes[code] = event.voucher_id
                case VoucherRedeemed():
                    if self.race_receipts:
                        raise ReceiptRaced
                    self.redemptions[event.redemption_id] = event
                case VoucherReversed():
                    self.reversed.add(event.redemption_id)

    async def append(self, record: AuditRecord) -> None:
        self.audit.append(record)

    def actions(self) -> list[str]:
        return [r.action for r in self.audit]

    def event_types(self) -> list[str]:
        return [e.event_type for e in self.store.events()]


CODE = "7K2M9QXA4TR"


def issue_body(
    amount: str = "200.00", *, partial: bool = False, provider: uuid.UUID | None = CLINIC
) -> IssueRequest:
    return IssueRequest(
        case_id=CASE,
        participant_id=PARTICIPANT,
        provider_id=provider,
        region=LIMA,
        services=[CONSULTATION, MEDICINES],
        amount=Decimal(amount),
        allows_partial=partial,
        valid_until=NOW + timedelta(days=10),
    )


def redeem_body(amount: str, receipt: str = "B001-1") -> RedeemRequest:
    return RedeemRequest(
        code=CODE, amount=Decimal(amount), services=[CONSULTATION], receipt_number=receipt
    )


async def issued(world: World, amount: str = "200.00", *, partial: bool = False) -> Issued:
    body = issue_body(amount, partial=partial)
    return await commands.issue(world.ports(), CASEWORKER, body, CODE, CAP, VOUCHER, NOW)


async def redeemed(world: World, amount: str, receipt: str = "B001-1") -> Redeemed:
    body = redeem_body(amount, receipt)
    return await commands.redeem(world.ports(), body, CODE, CLINIC, uuid.uuid4(), NOW)
