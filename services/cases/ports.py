"""What the service layer reaches besides the rules: the event store, the read tables it keeps
and reads, and the audit trail. Small protocols, so the commands run on `MemoryEventStore` and
fakes in unit tests; `Ports.postgres(conn)` is the one-line PostgreSQL form the routes use.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from access.principal import Principal
from contracts.event import Event
from eventkit.aggregate import load_stream
from eventkit.decider import fold
from eventkit.store import Connection, EventStore, PostgresEventStore
from services.cases import queries, views
from services.cases.audit import audit
from services.cases.participant import Participant, evolve


class Views(Protocol):
    """The read tables: kept from the events just appended, and read where a command needs them."""

    async def record(self, events: Sequence[Event], version: int) -> None: ...

    async def surviving(self, participant_id: uuid.UUID) -> uuid.UUID: ...

    async def case_participant(self, case_id: uuid.UUID) -> uuid.UUID | None: ...


class Audit(Protocol):
    async def done(
        self,
        principal: Principal,
        action: str,
        resource: tuple[str, uuid.UUID | str],
        purpose: str | None = None,
    ) -> None: ...


@dataclass(frozen=True)
class PostgresViews:
    conn: Connection

    async def record(self, events: Sequence[Event], version: int) -> None:
        await views.record(self.conn, events, version)

    async def surviving(self, participant_id: uuid.UUID) -> uuid.UUID:
        return await queries.surviving(self.conn, participant_id)

    async def case_participant(self, case_id: uuid.UUID) -> uuid.UUID | None:
        return await queries.case_participant(self.conn, case_id)


@dataclass(frozen=True)
class PostgresAudit:
    conn: Connection

    async def done(
        self,
        principal: Principal,
        action: str,
        resource: tuple[str, uuid.UUID | str],
        purpose: str | None = None,
    ) -> None:
        await audit(self.conn, principal, action, resource, purpose)


@dataclass(frozen=True)
class Ports:
    store: EventStore
    views: Views
    audit: Audit

    @classmethod
    def postgres(cls, conn: Connection) -> Ports:
        return cls(PostgresEventStore(conn), PostgresViews(conn), PostgresAudit(conn))

    async def participant(self, participant_id: uuid.UUID) -> Participant:
        """The participant's current state, for rules of another aggregate (consent checks)."""
        history, _ = await load_stream(self.store, str(participant_id))
        return fold(evolve, Participant(), history)
