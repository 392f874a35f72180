"""Read-your-writes: wait until a consumer has applied given events (tests never sleep)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Collection

import asyncpg


async def applied(pool: asyncpg.Pool, consumer: str, event_ids: Collection[str]) -> int:
    """How many of `event_ids` the consumer has applied."""
    count = await pool.fetchval(
        "SELECT count(*) FROM processed_events WHERE consumer = $1 AND event_id = ANY($2::uuid[])",
        consumer,
        list(event_ids),
    )
    return int(count)


async def wait_for_events(
    pool: asyncpg.Pool, consumer: str, event_ids: Collection[str], within: float = 10.0
) -> None:
    """Return once every event id is applied; raise `TimeoutError` after `within` seconds."""
    deadline = time.monotonic() + within
    while (done := await applied(pool, consumer, event_ids)) < len(set(event_ids)):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{consumer} applied {done} of {len(event_ids)} events")
        await asyncio.sleep(0.02)
