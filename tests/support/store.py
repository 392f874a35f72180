"""A migrated pool on a fresh database, as a service gets it."""

from __future__ import annotations

import asyncpg

from eventkit.schema import CONSUMER_DDL, STORE_DDL, migrate
from eventkit.store import NewEvent, init_connection


async def open_pool(url: str, max_size: int = 40) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(url, min_size=1, max_size=max_size, init=init_connection)
    await migrate(pool, STORE_DDL, CONSUMER_DDL)
    return pool


def numbered(n: int, event_type: str = "message.reached") -> NewEvent:
    """A test event whose data carries its intended stream version `n`."""
    return NewEvent(event_type=event_type, data={"n": n})
