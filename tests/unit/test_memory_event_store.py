"""The in-memory event store keeps the event store contract (as PostgreSQL does)."""

from __future__ import annotations

import pytest

from eventkit.memory_store import MemoryEventStore
from tests.contract.event_store import CONTRACT, Check
from tests.support.store import numbered


@pytest.mark.parametrize("check", CONTRACT, ids=[c.__name__ for c in CONTRACT])
async def test_memory_store_keeps_the_contract(check: Check) -> None:
    await check(MemoryEventStore().transaction)


async def test_every_event_in_position_order_is_what_the_outbox_would_publish() -> None:
    store = MemoryEventStore()
    async with store.transaction() as streams:
        await streams.append("a", 0, [numbered(1)])
        await streams.append("b", 0, [numbered(1), numbered(2)])
        await streams.append("a", 1, [numbered(2)])
    assert [(e.stream_id, e.stream_version) for e in store.events()] == [
        ("a", 1), ("b", 1), ("b", 2), ("a", 2),
    ]  # fmt: skip
