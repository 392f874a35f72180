"""The event store on a real PostgreSQL: the event store contract (`tests/contract/event_store.py`,
which the memory store keeps too), the outbox beside the events, and idempotent commands."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import asyncpg
import pytest

from eventkit.idempotency import Answer, IdempotencyKeyReused, execute_once, request_hash
from eventkit.store import (
    ConcurrencyConflict,
    Connection,
    EventStore,
    PostgresEventStore,
    append,
    load,
)
from tests.contract.event_store import CONTRACT, Check
from tests.support.store import numbered, open_pool

pytestmark = pytest.mark.integration


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await open_pool(database)
    yield pool
    await pool.close()


@pytest.mark.parametrize("check", CONTRACT, ids=[c.__name__ for c in CONTRACT])
async def test_postgres_store_keeps_the_contract(pool: asyncpg.Pool, check: Check) -> None:
    @asynccontextmanager
    async def begin() -> AsyncIterator[EventStore]:
        async with pool.acquire() as conn, conn.transaction():
            yield PostgresEventStore(conn)

    await check(begin)


async def test_events_and_their_outbox_rows_commit_together(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await append(conn, "s-1", 0, [numbered(1), numbered(2)])
        await append(conn, "s-1", 2, [numbered(3)])
    with pytest.raises(ConcurrencyConflict):
        async with pool.acquire() as conn, conn.transaction():
            await append(conn, "s-1", 2, [numbered(3)])
    async with pool.acquire() as conn:
        events = await load(conn, "s-1")
        backlog = await conn.fetchval("SELECT count(*) FROM outbox")
    assert [e.data["n"] for e in events] == [1, 2, 3]
    assert backlog == 3  # events and their outbox rows commit together


def _command(stream: str) -> Callable[[Connection], Awaitable[Answer]]:
    async def run(conn: Connection) -> Answer:
        done = await append(conn, stream, 0, [numbered(1)])
        return Answer(201, {"version": done.version, "event_id": str(done.event_ids[0])})

    return run


async def test_retried_command_returns_the_first_answer_and_appends_nothing(
    pool: asyncpg.Pool,
) -> None:
    fingerprint = request_hash("POST", "/x", {"a": 1})
    first = await execute_once(pool, "key-1", fingerprint, _command("idem-1"))
    retry = await execute_once(pool, "key-1", fingerprint, _command("idem-1"))
    assert first.status_code == 201 and not first.replayed
    assert retry.replayed and retry.body == first.body
    assert await pool.fetchval("SELECT count(*) FROM events WHERE stream_id = 'idem-1'") == 1


async def test_same_key_with_another_body_is_refused(pool: asyncpg.Pool) -> None:
    await execute_once(pool, "key-2", request_hash({"a": 1}), _command("idem-2"))
    with pytest.raises(IdempotencyKeyReused, match="key-2"):
        await execute_once(pool, "key-2", request_hash({"a": 2}), _command("idem-2"))


async def test_concurrent_retries_with_one_key_append_once_and_agree(pool: asyncpg.Pool) -> None:
    fingerprint = request_hash("same")
    answers = await asyncio.gather(
        *(execute_once(pool, "key-3", fingerprint, _command("idem-3")) for _ in range(8))
    )
    assert len({a.body["event_id"] for a in answers}) == 1
    assert sum(not a.replayed for a in answers) == 1
    assert await pool.fetchval("SELECT count(*) FROM events WHERE stream_id = 'idem-3'") == 1
