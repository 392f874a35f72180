"""What the service layer reaches besides the rules: the event store, the read tables it keeps
and reads, the audit trail, a new person's personal data and possible duplicates. Small
protocols, so the commands run on `MemoryEventStore` and fakes in unit tests; `Ports.postgres(conn)`
and `PostgresPersonalData(conn, keys)` are the one-line PostgreSQL forms the commands use.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from access.blind_index import Kind
from access.principal import Principal
from access.settings import PersonalDataKeys
from contracts.event import Event
from contracts.participants import ParticipantRegistered
from eventkit.aggregate import load_stream
from eventkit.decider import fold
from eventkit.store import Connection, EventStore, PostgresEventStore
from services.cases import personal_data, queries, views
from services.cases.audit import audit
from services.cases.participant import Participant, evolve
from services.cases.personal_data import Note


class Views(Protocol):
    """The read tables: kept from the events just appended, and read where a command needs them."""

    async def record(self, events: Sequence[Event], version: int) -> None: ...

    async def surviving(self, participant_id: uuid.UUID) -> uuid.UUID: ...

    async def case_participant(self, case_id: uuid.UUID) -> uuid.UUID | None: ...

    async def version(self, participant_id: uuid.UUID) -> int:
        """The person's record's version as its read row has it (what `If-Match` compares)."""
        ...


class PersonalDataStore(Protocol):
    """Where a person's sealed fields, read row and blind indexes go, and their case notes;
    what erasure shreds. Sealing for an erased person is refused (`Refused`, conflict)."""

    async def keep(
        self,
        registered: ParticipantRegistered,
        fields: Mapping[str, str],
        numbers: Mapping[Kind, str | None],
        version: int,
    ) -> None: ...

    async def reseal(self, participant_id: uuid.UUID, fields: Mapping[str, str]) -> None:
        """Seal `fields` again in place of the ones held (a correction)."""
        ...

    async def reindex(self, participant_id: uuid.UUID, numbers: Mapping[Kind, str | None]) -> None:
        """Replace the blind indexes of each kind given (None removes it)."""
        ...

    async def erase(self, participant_id: uuid.UUID, at: datetime) -> None:
        """Crypto-shred: the data key, the lookups, the ciphertexts, the notes' text."""
        ...

    async def keep_note(self, note: Note) -> None:
        """A case note sealed under its participant's key."""
        ...


class DuplicateLookup(Protocol):
    """Records already holding one of these document or phone numbers (ids, sorted)."""

    async def possible_duplicates(
        self, numbers: Mapping[Kind, str | None], excluding: uuid.UUID
    ) -> list[str]: ...


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

    async def version(self, participant_id: uuid.UUID) -> int:
        return int((await queries.participant_row(self.conn, participant_id))["version"])


@dataclass(frozen=True)
class PostgresPersonalData:
    """Both personal data ports over one connection, with the service's keys."""

    conn: Connection
    keys: PersonalDataKeys

    async def keep(
        self,
        registered: ParticipantRegistered,
        fields: Mapping[str, str],
        numbers: Mapping[Kind, str | None],
        version: int,
    ) -> None:
        participant_id = registered.participant_id
        sealed = await personal_data.cipher(self.conn, self.keys).encrypt(
            str(participant_id), dict(fields)
        )
        await self.conn.execute(
            "INSERT INTO participants (participant_id, region, sex, birth_year_month, nationality,"
            " personal, registered_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            participant_id, registered.region, registered.sex, registered.birth_year_month,
            registered.nationality, sealed, registered.registered_at, version,
        )  # fmt: skip
        await self.reindex(participant_id, numbers)

    async def reseal(self, participant_id: uuid.UUID, fields: Mapping[str, str]) -> None:
        await personal_data.reseal(self.conn, self.keys, participant_id, dict(fields))

    async def reindex(self, participant_id: uuid.UUID, numbers: Mapping[Kind, str | None]) -> None:
        secret = self.keys.blind_index_secret()
        await personal_data.index(self.conn, participant_id, dict(numbers), secret)

    async def erase(self, participant_id: uuid.UUID, at: datetime) -> None:
        await personal_data.erase(self.conn, self.keys, participant_id, at)

    async def keep_note(self, note: Note) -> None:
        await personal_data.keep_note(self.conn, self.keys, note)

    async def possible_duplicates(
        self, numbers: Mapping[Kind, str | None], excluding: uuid.UUID
    ) -> list[str]:
        found: set[str] = set()
        for kind, value in numbers.items():
            if value:
                secret = self.keys.blind_index_secret()
                rows = await personal_data.find(self.conn, kind, value, secret, excluding)
                found |= {str(r["participant_id"]) for r in rows}
        return sorted(found)


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
