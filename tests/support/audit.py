"""Read the audit log in tests once every committed record is chained.

The services' `AuditChainer` links records a fraction of a second after their commands commit;
a test chains the rest itself instead of waiting.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from access.audit import chain_pending


async def chained(pool: asyncpg.Pool) -> None:
    """Chain every audit record committed so far."""
    async with pool.acquire() as conn:
        while await chain_pending(conn):
            pass


async def audit_fetch(pool: asyncpg.Pool, query: str, *args: Any) -> list[asyncpg.Record]:
    """`query` (on `audit_log`) once everything committed is chained."""
    await chained(pool)
    return await pool.fetch(query, *args)


async def audit_count(pool: asyncpg.Pool, query: str, *args: Any) -> int:
    """A `count(*)` over `audit_log` once everything committed is chained."""
    await chained(pool)
    return int(await pool.fetchval(query, *args))
