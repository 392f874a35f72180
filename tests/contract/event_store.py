"""The contract every event store keeps, run against memory
(`tests/unit/test_memory_event_store.py`) and PostgreSQL (`tests/integration/test_event_store.py`)
alike, so the fake used by fast unit tests is proven to behave as the real store does.

Each check gets `begin`: it opens a transaction on the store under test and yields the store in
it; the transaction commits when the block ends and rolls back when it raises.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime

import pytest

from eventkit.store import ConcurrencyConflict, EventStore, NewEvent
from tests.support.store import numbered

Begin = Callable[[], AbstractAsyncContextManager[EventStore]]
Check = Callable[[Begin], Awaitable[None]]


async def check_append_then_load_folds_the_stream_in_order(begin: Begin) -> None:
    async with begin() as store:
        first = await store.append("s-1", 0, [numbered(1), numbered(2)])
        second = await store.append("s-1", 2, [numbered(3)])
    assert (first.version, second.version) == (2, 3)
    async with begin() as store:
        events = await store.load("s-1")
    assert [e.data["n"] for e in events] == [1, 2, 3]
    assert [e.stream_version for e in events] == [1, 2, 3]


async def check_stale_expected_version_is_a_conflict_naming_the_current_version(
    begin: Begin,
) -> None:
    async with begin() as store:
        await store.append("s-2", 0, [numbered(1), numbered(2)])
    with pytest.raises(ConcurrencyConflict) as conflict:
        async with begin() as store:
            await store.append("s-2", 1, [numbered(2)])
    assert conflict.value.actual == 2
    assert (conflict.value.stream_id, conflict.value.expected) == ("s-2", 1)
    with pytest.raises(ConcurrencyConflict):
        async with begin() as store:
            await store.append("s-2", 0, [numbered(1)])
    with pytest.raises(ConcurrencyConflict) as ahead:
        async with begin() as store:
            await store.append("s-2", 5, [numbered(6)])
    assert ahead.value.actual == 2
    async with begin() as store:
        assert len(await store.load("s-2")) == 2


async def check_sixteen_writers_at_one_version_exactly_one_wins_each_round(begin: Begin) -> None:
    stream = f"race-{uuid.uuid4()}"
    start = asyncio.Event()

    async def writer(version: int) -> bool:
        await start.wait()
        try:
            async with begin() as store:
                await store.append(stream, version, [numbered(version + 1)])
        except ConcurrencyConflict:
            return False
        return True

    for version in range(20):
        start.clear()
        tasks = [asyncio.create_task(writer(version)) for _ in range(16)]
        await asyncio.sleep(0)
        start.set()
        wins = await asyncio.gather(*tasks)
        assert wins.count(True) == 1, f"round {version}: {wins.count(True)} winners"
    async with begin() as store:
        assert [e.data["n"] for e in await store.load(stream)] == list(range(1, 21))


async def check_an_append_says_where_its_events_landed(begin: Begin) -> None:
    async with begin() as store:
        first = await store.append("s-3", 0, [numbered(1), numbered(2)])
        other = await store.append("s-4", 0, [numbered(1)])
        second = await store.append("s-3", 2, [numbered(3)])
        events = await store.load("s-3")
    positions = [*first.positions, *other.positions, *second.positions]
    assert positions == sorted(set(positions)), "one position per event, increasing over streams"
    assert [e.position for e in events] == [*first.positions, *second.positions]
    assert [e.event_id for e in events] == [*first.event_ids, *second.event_ids]


async def check_a_recorded_event_is_what_was_appended(begin: Begin) -> None:
    sent = NewEvent(
        event_type="case.opened",
        data={"case_id": "c-1", "nested": {"list": [1, "two", None], "flag": True}},
        schema_version=3,
        occurred_at=datetime(2023, 3, 1, 9, 30, 15, 123456, tzinfo=UTC),
    )
    async with begin() as store:
        await store.append("s-5", 0, [sent])
        [got] = await store.load("s-5")
    assert (got.stream_id, got.stream_version, got.event_id) == ("s-5", 1, sent.event_id)
    assert (got.event_type, got.schema_version) == ("case.opened", 3)
    assert got.data == sent.data and got.data is not sent.data
    assert got.occurred_at == sent.occurred_at


async def check_streams_are_independent_and_an_unknown_one_is_empty(begin: Begin) -> None:
    async with begin() as store:
        await store.append("s-6", 0, [numbered(1)])
        await store.append("s-7", 0, [numbered(1), numbered(2)])
        assert [e.stream_version for e in await store.load("s-6")] == [1]
        assert [e.stream_version for e in await store.load("s-7")] == [1, 2]
        assert await store.load("s-never") == []


async def check_appending_nothing_records_nothing(begin: Begin) -> None:
    async with begin() as store:
        nothing = await store.append("s-8", 0, [])
        assert (nothing.version, nothing.positions, nothing.event_ids) == (0, (), ())
        assert await store.load("s-8") == []
        await store.append("s-8", 0, [numbered(1)])
        assert (await store.append("s-8", 1, [])).version == 1
        assert len(await store.load("s-8")) == 1


async def check_a_rolled_back_append_leaves_nothing(begin: Begin) -> None:
    async with begin() as store:
        kept = await store.append("s-9", 0, [numbered(1)])
    with pytest.raises(RuntimeError, match="abort"):
        async with begin() as store:
            await store.append("s-9", 1, [numbered(2)])
            await store.append("s-10", 0, [numbered(1)])
            raise RuntimeError("abort")
    async with begin() as store:
        assert [e.data["n"] for e in await store.load("s-9")] == [1]
        assert await store.load("s-10") == []
        again = await store.append("s-9", 1, [numbered(2)])
    assert again.version == 2
    assert again.positions[0] > kept.positions[0]


CONTRACT: list[Check] = [
    check_append_then_load_folds_the_stream_in_order,
    check_stale_expected_version_is_a_conflict_naming_the_current_version,
    check_sixteen_writers_at_one_version_exactly_one_wins_each_round,
    check_an_append_says_where_its_events_landed,
    check_a_recorded_event_is_what_was_appended,
    check_streams_are_independent_and_an_unknown_one_is_empty,
    check_appending_nothing_records_nothing,
    check_a_rolled_back_append_leaves_nothing,
]
