"""The event store in memory: deterministic, no I/O, for fast unit tests of a command layer.

It keeps the same contract as the PostgreSQL store (`tests/contract/event_store.py` runs against
both): versions from 1, one global position per event, `ConcurrencyConflict` at a stale version,
data stored as JSON (what is loaded is a copy, as a database gives back). A command layer that
takes an `EventStore` runs unchanged against it:

    store = MemoryEventStore()
    decided = await execute(
        store, str(voucher_id), evolve, Voucher(), lambda s: issue.decide(rule, s), now=now
    )
    assert [e.event_type for e in await store.load(str(voucher_id))] == ["voucher.issued"]

`transaction()` stands for the caller's database transaction: what was appended in a block that
raises is taken back. There is no isolation: an append is seen by every reader at once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import orjson
from opentelemetry.propagate import inject

from eventkit.store import Appended, ConcurrencyConflict, EventStore, NewEvent, RecordedEvent


class MemoryEventStore:
    """Streams held in a dict; appends are atomic (no await inside), so racing writers at one
    version in one event loop behave as in PostgreSQL: exactly one wins."""

    def __init__(self) -> None:
        self._streams: dict[str, list[RecordedEvent]] = {}
        self._position = 0

    async def load(self, stream_id: str) -> list[RecordedEvent]:
        """All events of the stream in version order (each a fresh copy of what was stored)."""
        return [_copy(e) for e in self._streams.get(stream_id, ())]

    async def append(
        self, stream_id: str, expected_version: int, events: Sequence[NewEvent]
    ) -> Appended:
        """Append `events` at `expected_version`; raise `ConcurrencyConflict` when it moved."""
        if not events:
            return Appended(expected_version, (), ())
        stream = self._streams.get(stream_id, [])
        if len(stream) != expected_version:
            raise ConcurrencyConflict(stream_id, expected_version, len(stream))
        carrier: dict[str, str] = {}
        inject(carrier)
        recorded = [
            RecordedEvent(
                position=self._position + offset,
                event_id=event.event_id,
                stream_id=stream_id,
                stream_version=expected_version + offset,
                event_type=event.event_type,
                schema_version=event.schema_version,
                data=orjson.loads(orjson.dumps(event.data)),
                occurred_at=event.occurred_at,
                traceparent=carrier.get("traceparent"),
            )
            for offset, event in enumerate(events, start=1)
        ]
        self._position += len(recorded)
        self._streams[stream_id] = [*stream, *recorded]
        return Appended(
            recorded[-1].stream_version,
            tuple(e.position for e in recorded),
            tuple(e.event_id for e in recorded),
        )

    def events(self) -> list[RecordedEvent]:
        """Every stored event in position order: what the outbox would publish."""
        every = [e for stream in self._streams.values() for e in stream]
        return [_copy(e) for e in sorted(every, key=lambda e: e.position)]

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[EventStore]:
        """A block whose appends are taken back when it raises, as a rolled-back transaction's.

        Positions are not reused (a PostgreSQL sequence is not rolled back either).
        """
        mine = _Transaction(self)
        try:
            yield mine
        except BaseException:
            for stream_id, (before, after) in mine.appended.items():
                self._take_back(stream_id, before, after)
            raise

    def _take_back(self, stream_id: str, before: int, after: int) -> None:
        stream = self._streams[stream_id]
        if len(stream) != after:
            # PostgreSQL's row lock makes another writer wait for this transaction to end.
            raise RuntimeError(f"stream {stream_id} moved on past an append being rolled back")
        if before:
            self._streams[stream_id] = stream[:before]
        else:
            del self._streams[stream_id]


class _Transaction:
    """The store as seen inside one `transaction()` block: it notes what the block appended."""

    def __init__(self, store: MemoryEventStore) -> None:
        self.store = store
        self.appended: dict[str, tuple[int, int]] = {}
        """Per stream: its version before the block's first append to it, and after its last."""

    async def load(self, stream_id: str) -> list[RecordedEvent]:
        return await self.store.load(stream_id)

    async def append(
        self, stream_id: str, expected_version: int, events: Sequence[NewEvent]
    ) -> Appended:
        done = await self.store.append(stream_id, expected_version, events)
        if events:
            before, _ = self.appended.get(stream_id, (expected_version, 0))
            self.appended[stream_id] = (before, done.version)
        return done


def _copy(event: RecordedEvent) -> RecordedEvent:
    return RecordedEvent(
        event.position, event.event_id, event.stream_id, event.stream_version,
        event.event_type, event.schema_version, orjson.loads(orjson.dumps(event.data)),
        event.occurred_at, event.traceparent,
    )  # fmt: skip
