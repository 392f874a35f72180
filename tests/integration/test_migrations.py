"""A service's start-up migration beside requests in flight (the cause of a CI failure: a
vouchers replica restarted under load re-ran `DROP TRIGGER ... ON outbox`, which waited for the
requests writing the outbox while one of them waited for the migration, and PostgreSQL killed
the request: a 500 for "issue voucher")."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from access.audit import AUDIT_DDL
from eventkit.schema import STORE_DDL, migrate_changed, schema_digest

pytestmark = pytest.mark.integration

DDL = (STORE_DDL, AUDIT_DDL)
BOUND = 60.0  # seconds: only a bound, so a migration that waits for the lock fails the test


@pytest.fixture
async def conns(database: str) -> AsyncIterator[tuple[asyncpg.Connection, asyncpg.Connection]]:
    starting, serving = await asyncpg.connect(database), await asyncpg.connect(database)
    try:
        yield starting, serving
    finally:
        await serving.close()
        await starting.close()


async def _writing_the_outbox(serving: asyncpg.Connection) -> asyncpg.transaction.Transaction:
    """A request's transaction between its append and its commit: it holds the lock every
    writer of the outbox holds."""
    request = serving.transaction()
    await request.start()
    await serving.execute("LOCK TABLE outbox IN ROW EXCLUSIVE MODE")
    return request


async def test_a_restart_of_the_same_schema_locks_nothing_a_request_holds(
    conns: tuple[asyncpg.Connection, asyncpg.Connection],
) -> None:
    starting, serving = conns
    digest = schema_digest(DDL)
    assert await migrate_changed(starting, DDL, digest) is True
    request = await _writing_the_outbox(serving)
    try:
        ran = await asyncio.wait_for(migrate_changed(starting, DDL, digest), BOUND)
    finally:
        await request.rollback()
    assert ran is False
    assert await starting.fetchval("SELECT count(*) FROM schema_applied") == 1


async def test_a_new_schema_gives_way_to_a_request_and_applies_once_it_is_done(
    conns: tuple[asyncpg.Connection, asyncpg.Connection],
) -> None:
    starting, serving = conns
    await migrate_changed(starting, DDL, schema_digest(DDL))
    newer = (*DDL, "CREATE INDEX IF NOT EXISTS outbox_again ON outbox (position)")
    request = await _writing_the_outbox(serving)
    with pytest.raises(asyncpg.LockNotAvailableError):
        await asyncio.wait_for(migrate_changed(starting, newer, schema_digest(newer)), BOUND)
    await serving.execute("SELECT 1")  # the request goes on and commits
    await request.commit()
    applied = "SELECT count(*) FROM schema_applied WHERE digest = $1"
    assert await starting.fetchval(applied, schema_digest(newer)) == 0
    assert await migrate_changed(starting, newer, schema_digest(newer)) is True
    assert await starting.fetchval(applied, schema_digest(newer)) == 1
    assert await starting.fetchval("SELECT to_regclass('outbox_again') IS NOT NULL")
