"""An append-only event store in PostgreSQL with optimistic concurrency and a transactional outbox.

`append` writes the events and their outbox rows in the caller's transaction, so an HTTP 2xx
(given after commit) means the events are durable and will reach Kafka.

`EventStore` is the role a command layer needs (load a stream, append at a version);
`PostgresEventStore` plays it over a connection, `eventkit.memory_store.MemoryEventStore` in
memory for fast unit tests. One contract suite (`tests/contract/event_store.py`) runs against
both, so the fake behaves as the real store does.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Protocol

import asyncpg
import orjson
from asyncpg.pool import PoolConnectionProxy
from opentelemetry.propagate import inject

from eventkit.ids import new_id

Connection = asyncpg.Connection | PoolConnectionProxy
"""A connection, whether taken from a pool or opened alone."""


@dataclass(frozen=True)
class NewEvent:
    """An event to append: its type, schema version and JSON-ready data, and when it was
    recorded (`occurred_at`, the CloudEvents `time`): the deciding command's `now`, required,
    since the store reads no clock (a test's injected clock dates its events)."""

    event_type: str
    data: dict[str, Any]
    schema_version: int = 1
    event_id: uuid.UUID = field(default_factory=new_id)
    occurred_at: datetime = field(kw_only=True)


@dataclass(frozen=True)
class RecordedEvent:
    """An event as stored: its stream, version in the stream and global position."""

    position: int
    event_id: uuid.UUID
    stream_id: str
    stream_version: int
    event_type: str
    schema_version: int
    data: dict[str, Any]
    occurred_at: datetime
    traceparent: str | None


class ConcurrencyConflict(Exception):
    """The stream moved on since the caller read it (HTTP 409 with the current version)."""

    def __init__(self, stream_id: str, expected: int, actual: int) -> None:
        super().__init__(f"stream {stream_id} is at version {actual}, not the expected {expected}")
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual


@dataclass(frozen=True)
class Appended:
    """Where an append landed: the stream's new version and the last event's id (its position)."""

    version: int
    positions: tuple[int, ...]
    event_ids: tuple[uuid.UUID, ...]


def _json(data: Any) -> str:
    return orjson.dumps(data).decode()


async def init_connection(conn: Connection) -> None:
    """Decode jsonb with orjson (pass as `init=` to `asyncpg.create_pool`)."""
    await conn.set_type_codec("jsonb", encoder=_json, decoder=orjson.loads, schema="pg_catalog")


_CREATE_STREAM = """
WITH moved AS (
    INSERT INTO streams (stream_id, version) SELECT $1, $10 WHERE $9::int = 0
    ON CONFLICT (stream_id) DO NOTHING RETURNING version
),"""
_MOVE_STREAM = """
WITH moved AS (
    UPDATE streams SET version = $10 WHERE stream_id = $1 AND version = $9 RETURNING version
),"""
_INSERT_EVENTS = """
ins AS (
    INSERT INTO events (event_id, stream_id, stream_version, event_type, schema_version,
                        data, occurred_at, traceparent)
    SELECT e.id, $1, e.v, e.t, e.s, e.d, e.o, $7
    FROM unnest($2::uuid[], $3::int[], $4::text[], $5::int[], $6::jsonb[],
                $8::timestamptz[]) AS e(id, v, t, s, d, o)
    WHERE EXISTS (SELECT FROM moved)
    RETURNING position
)
INSERT INTO outbox (position) SELECT position FROM ins ORDER BY position
RETURNING position
"""


async def stream_version(conn: Connection, stream_id: str) -> int:
    """The stream's current version (0 when it does not exist)."""
    version = await conn.fetchval("SELECT version FROM streams WHERE stream_id = $1", stream_id)
    return int(version or 0)


_RECORDED_FIELDS = tuple(f.name for f in fields(RecordedEvent))


def event_columns(table: str) -> str:
    """The select list of a `RecordedEvent` from `events` known as `table` in a query.

    A command may read its stream in the same statement as what it looks up first (one round
    trip); `recorded` turns those rows back into events.
    """
    return ", ".join(f"{table}.{name}" for name in _RECORDED_FIELDS)


def recorded(rows: Sequence[asyncpg.Record]) -> list[RecordedEvent]:
    """The events in `rows`, selected with `event_columns`.

    Rows without an event (an outer join that found none) are left out.
    """
    return [
        RecordedEvent(*(row[name] for name in _RECORDED_FIELDS))
        for row in rows
        if row["position"] is not None
    ]


# Built from the constant field names only, never from input.
_LOAD = f"SELECT {event_columns('e')} FROM events e WHERE e.stream_id = $1"  # noqa: S608
_LOAD += " ORDER BY e.stream_version"


async def load(conn: Connection, stream_id: str) -> list[RecordedEvent]:
    """All events of a stream in version order."""
    return recorded(await conn.fetch(_LOAD, stream_id))


async def append(
    conn: Connection,
    stream_id: str,
    expected_version: int,
    events: Sequence[NewEvent],
) -> Appended:
    """Append `events` at `expected_version`; raise `ConcurrencyConflict` when it moved.

    Must run inside the caller's transaction. The `streams` row is the lock that orders writers
    of one stream: a concurrent writer at the same expected version blocks on it, then finds the
    version changed and fails, so exactly one of them wins.
    """
    if not events:
        return Appended(expected_version, (), ())
    new_version = expected_version + len(events)
    carrier: dict[str, str] = {}
    inject(carrier)  # the current span (HTTP request, command) continues through Kafka
    # One round trip: move the stream's version (the lock ordering its writers), then insert
    # the events and their outbox rows only if it moved. No rows back means a conflict.
    positions = await conn.fetch(
        (_CREATE_STREAM if expected_version == 0 else _MOVE_STREAM) + _INSERT_EVENTS,
        stream_id,
        [e.event_id for e in events],
        list(range(expected_version + 1, new_version + 1)),
        [e.event_type for e in events],
        [e.schema_version for e in events],
        [e.data for e in events],
        carrier.get("traceparent"),
        [e.occurred_at for e in events],
        expected_version,
        new_version,
    )
    if not positions:
        raise ConcurrencyConflict(
            stream_id, expected_version, await stream_version(conn, stream_id)
        )
    return Appended(
        new_version,
        tuple(sorted(r["position"] for r in positions)),
        tuple(e.event_id for e in events),
    )


class EventStore(Protocol):
    """A service's streams: what `eventkit.aggregate.execute` loads from and appends to.

    The contract (`tests/contract/event_store.py`): a stream loads in version order, versions
    counting from 1; `append` at the stream's current version (0 for a new stream) records the
    events in order and says where they landed (`Appended`: the new version, one global position
    per event, strictly increasing across streams, and the events' ids); at any other version it
    raises `ConcurrencyConflict` naming the current version and records nothing; appending no
    events records nothing and checks nothing. Of racing writers at one version exactly one wins.
    """

    async def load(self, stream_id: str) -> list[RecordedEvent]:
        """All events of the stream in version order (none for a stream never written)."""
        ...

    async def append(
        self, stream_id: str, expected_version: int, events: Sequence[NewEvent]
    ) -> Appended:
        """Append `events` at `expected_version`; raise `ConcurrencyConflict` when it moved."""
        ...


class PostgresEventStore:
    """The event store over one connection, inside the caller's transaction (as `append` is).

    Cheap to make: one per command, `PostgresEventStore(conn)`.
    """

    __slots__ = ("conn",)

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def load(self, stream_id: str) -> list[RecordedEvent]:
        """All events of the stream in version order."""
        return await load(self.conn, stream_id)

    async def append(
        self, stream_id: str, expected_version: int, events: Sequence[NewEvent]
    ) -> Appended:
        """Append `events` at `expected_version` with their outbox rows (see `append`)."""
        return await append(self.conn, stream_id, expected_version, events)


def event_store(source: EventStore | Connection) -> EventStore:
    """`source` itself, or the PostgreSQL store over it when it is a connection.

    Lets the command layer take either: call sites holding a connection stay as they are, unit
    tests pass a `MemoryEventStore`.
    """
    if isinstance(source, asyncpg.Connection | PoolConnectionProxy):
        return PostgresEventStore(source)
    return source
