"""Run a decider against the event store: load, fold, decide, append, in one transaction.

Domain code stays pure (`decide(command, state) -> events`, `evolve(state, event) -> state`);
this module is the only place that turns its events into stored rows.

`execute` works against any `EventStore`: a service passes its connection (the PostgreSQL store
in its transaction), a unit test a `MemoryEventStore`, so a command layer is tested without a
database:

    store = MemoryEventStore()
    first = await execute(store, "v-1", evolve, Voucher(), partial(issue.decide, issuing), now=at)
    again = await execute(store, "v-1", evolve, Voucher(), partial(redeem.decide, paying), now=at)
    assert again.appended.version == 2 and again.state.remaining == Decimal("120.00")
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from contracts.event import Event
from contracts.upcasting import decode_payload
from eventkit.decider import fold
from eventkit.store import (
    Appended,
    ConcurrencyConflict,
    Connection,
    EventStore,
    NewEvent,
    RecordedEvent,
    event_store,
)

S = TypeVar("S")


@dataclass(frozen=True)
class Decided(Generic[S]):
    """The events a command produced, where they landed, and the state they lead to."""

    events: tuple[Event, ...]
    appended: Appended
    state: S

    @property
    def position(self) -> str | None:
        """The last event's id: what a client waits for to read its own write."""
        return str(self.appended.event_ids[-1]) if self.appended.event_ids else None


History = tuple[list[Event], int]
"""A stream's events as their latest models (upcast), and its version."""


def history_of(recorded: Sequence[RecordedEvent]) -> History:
    """The history of a stream from its recorded events, in version order."""
    events = [decode_payload(r.event_type, r.schema_version, r.data) for r in recorded]
    return events, (recorded[-1].stream_version if recorded else 0)


async def load_stream(store: EventStore | Connection, stream_id: str) -> History:
    """The stream's events as their latest models (upcast), and its version."""
    return history_of(await event_store(store).load(stream_id))


async def execute(
    store: EventStore | Connection,
    stream_id: str,
    evolve: Callable[[S, Event], S],
    initial: S,
    decide: Callable[[S], Sequence[Event]],
    expected_version: int | None = None,
    loaded: History | None = None,
    *,
    now: datetime,
) -> Decided[S]:
    """Decide against the current state and append at the version it was read at, dated `now`
    (the command's clock reading: the events' `occurred_at`, the CloudEvents `time`).

    `store` is an `EventStore`, or a connection (the PostgreSQL store over it). The caller owns
    the transaction. `expected_version` (from a client's `If-Match`) pins the version the
    client saw; a different current version is a `ConcurrencyConflict`. Without it,
    losing a race to a concurrent writer re-reads and decides again (under READ COMMITTED the
    winner's events are visible by then), so the caller gets the rule's answer, e.g. "exceeds
    the maximum", rather than a bare conflict. `loaded`, the history the caller read in this
    transaction (with what it looked up first, in one round trip), is decided on first; a retry
    reads the stream again.
    """
    streams = event_store(store)
    for attempt in range(_RETRIES):
        if attempt == 0 and loaded is not None:
            history, version = loaded
        else:
            history, version = await load_stream(streams, stream_id)
        if expected_version is not None and expected_version != version:
            raise ConcurrencyConflict(stream_id, expected_version, version)
        before = fold(evolve, initial, history)
        events = tuple(decide(before))
        try:
            appended = await streams.append(
                stream_id,
                version,
                [
                    NewEvent(e.event_type, e.model_dump(mode="json"), e.version, occurred_at=now)
                    for e in events
                ],
            )
        except ConcurrencyConflict:
            if expected_version is not None or attempt == _RETRIES - 1:
                raise
            continue
        return Decided(events, appended, fold(evolve, before, events))
    raise AssertionError("unreachable")


_RETRIES = 5
