"""A migrated database for the access tables, on the real PostgreSQL of the test session."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from access import audit, participant_keys


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(database, min_size=1, max_size=25)
    async with pool.acquire() as conn:
        await audit.migrate(conn)
        await participant_keys.migrate(conn)
    yield pool
    await pool.close()
