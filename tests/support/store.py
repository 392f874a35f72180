"""A migrated pool on a fresh database, as a service gets it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import asyncpg

from eventkit.schema import CONSUMER_DDL, STORE_DDL, migrate
from eventkit.store import NewEvent, init_connection


async def open_pool(url: str, max_size: int = 40) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(url, min_size=1, max_size=max_size, init=init_connection)
    await migrate(pool, STORE_DDL, CONSUMER_DDL)
    return pool


RECORDED_AT = datetime(2023, 3, 1, 9, tzinfo=UTC)
"""When a test's events are recorded (a store reads no clock: `NewEvent.occurred_at`)."""


def new_event(event_type: str, data: dict[str, Any]) -> NewEvent:
    """A test event to append, recorded at `RECORDED_AT`."""
    return NewEvent(event_type, data, occurred_at=RECORDED_AT)


def numbered(n: int, event_type: str = "message.reached") -> NewEvent:
    """A test event whose data carries its intended stream version `n`."""
    return new_event(event_type, {"n": n})
