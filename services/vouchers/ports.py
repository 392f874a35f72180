"""What the vouchers service layer reaches beyond its event stream, as small protocols, and their
PostgreSQL implementations over the command's connection (`postgres(conn)`, one line).

Unit tests pass fakes (`tests/unit/vouchers/fakes.py`) and a `MemoryEventStore` instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol
from uuid import UUID

import asyncpg

from access.audit import append as audit_append
from access.audit_chain import AuditRecord
from access.principal import Principal
from contracts.event import Event
from contracts.vouchers import VoucherRedeemed
from eventkit.aggregate import History, history_of
from eventkit.store import Connection, EventStore, PostgresEventStore, event_columns, recorded
from roster.reach import Person, case_in_reach, participant_in_reach
from services.vouchers import budget, views


class Reach(Protocol):
    """Whether the caller may act for a participant and case (the roster's copy)."""

    async def participant(
        self, principal: Principal, action: str, participant_id: UUID
    ) -> Person: ...
    async def case(
        self, principal: Principal, action: str, case_id: UUID, person: Person
    ) -> datetime | None:
        """Refuse unless the case is known, in reach and `person`'s; when it was opened."""


class Budget(Protocol):
    """Reserve a voucher's amount in its region's budget, or refuse (`budget_exceeded`)."""

    async def reserve(self, region: str, on: date, amount: Decimal) -> None: ...


@dataclass(frozen=True)
class Redeeming:
    """What a redemption starts from: the clinic's region and the voucher its code names."""

    provider_region: str
    voucher_id: UUID | None
    history: History


class Directory(Protocol):
    """The partner providers and the vouchers' codes. Only an active partner is found."""

    async def partner_region(self, provider_id: UUID) -> str | None: ...
    async def redeeming(self, provider_id: UUID, code: str) -> Redeeming | None: ...
    async def voucher_by_code(self, code: str) -> UUID | None: ...


class Receipts(Protocol):
    """The redemptions already recorded: by receipt (not reversed), and by id."""

    async def in_use(self, provider_id: UUID, receipt: str) -> tuple[UUID, UUID] | None: ...
    async def provider_of(self, voucher_id: UUID, redemption_id: UUID) -> UUID | None: ...


class ReceiptRaced(Exception):
    """The views refused a second redemption with one receipt (a concurrent one won)."""


class Views(Protocol):
    """The read tables, kept in the command's transaction; `ReceiptRaced` on a used receipt."""

    async def record(self, events: Sequence[Event], version: int, code: str = "") -> None: ...


class Audit(Protocol):
    async def append(self, record: AuditRecord) -> None: ...


@dataclass(frozen=True)
class Ports:
    store: EventStore
    reach: Reach
    budget: Budget
    directory: Directory
    receipts: Receipts
    views: Views
    audit: Audit


def postgres(conn: Connection) -> Ports:
    """The ports over one connection, inside the caller's transaction."""
    over = _Postgres(conn)
    return Ports(PostgresEventStore(conn), over, over, over, over, over, over)


ACTIVE_PARTNER = "SELECT region FROM providers WHERE provider_id = $1 AND active"
"""The one statement of the rule "a clinic acts only while its provider is an active partner"."""

# The calling clinic's directory row, the voucher its code names and the voucher's events, in
# one round trip; no row when the clinic is not an active partner.
_REDEEMING = f"""
WITH partner AS ({ACTIVE_PARTNER})
SELECT p.region AS provider_region, v.voucher_id AS found_voucher_id, {event_columns("e")}
FROM partner p
LEFT JOIN vouchers v ON v.code = $2
LEFT JOIN events e ON e.stream_id = v.voucher_id::text
ORDER BY e.stream_version
"""  # noqa: S608 (built from constant column names only)


class _Postgres:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def participant(self, principal: Principal, action: str, participant_id: UUID) -> Person:
        return await participant_in_reach(self._conn, principal, action, participant_id)

    async def case(
        self, principal: Principal, action: str, case_id: UUID, person: Person
    ) -> datetime | None:
        return await case_in_reach(self._conn, principal, action, case_id, person)

    async def reserve(self, region: str, on: date, amount: Decimal) -> None:
        await budget.reserve(self._conn, region, on, amount)

    async def partner_region(self, provider_id: UUID) -> str | None:
        region: str | None = await self._conn.fetchval(ACTIVE_PARTNER, provider_id)
        return region

    async def redeeming(self, provider_id: UUID, code: str) -> Redeeming | None:
        found = await self._conn.fetch(_REDEEMING, provider_id, code)
        if not found:
            return None
        return Redeeming(
            found[0]["provider_region"], found[0]["found_voucher_id"], history_of(recorded(found))
        )

    async def voucher_by_code(self, code: str) -> UUID | None:
        voucher_id: UUID | None = await self._conn.fetchval(
            "SELECT voucher_id FROM vouchers WHERE code = $1", code
        )
        return voucher_id

    async def in_use(self, provider_id: UUID, receipt: str) -> tuple[UUID, UUID] | None:
        first = await self._conn.fetchrow(
            "SELECT redemption_id, voucher_id FROM redemptions"
            " WHERE provider_id = $1 AND receipt_number = $2 AND reversed_at IS NULL",
            provider_id,
            receipt,
        )
        return None if first is None else (first["redemption_id"], first["voucher_id"])

    async def provider_of(self, voucher_id: UUID, redemption_id: UUID) -> UUID | None:
        provider: UUID | None = await self._conn.fetchval(
            "SELECT provider_id FROM redemptions WHERE redemption_id = $1 AND voucher_id = $2",
            redemption_id,
            voucher_id,
        )
        return provider

    async def record(self, events: Sequence[Event], version: int, code: str = "") -> None:
        try:
            await views.record(self._conn, events, version, code)
        except asyncpg.UniqueViolationError:
            if any(isinstance(e, VoucherRedeemed) for e in events):
                raise ReceiptRaced from None
            raise

    async def append(self, record: AuditRecord) -> None:
        await audit_append(self._conn, record)
