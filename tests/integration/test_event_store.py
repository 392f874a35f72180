"""The event store on a real PostgreSQL: optimistic concurrency and idempotent commands."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
import pytest

from eventkit.idempotency import Answer, IdempotencyKeyReused, execute_once, request_hash
from eventkit.store import ConcurrencyConflict, Connection, append, load
from tests.support.store import numbered, open_pool

pytestmark = pytest.mark.integration


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await open_pool(database)
    yield pool
    await pool.close()


async def test_append_then_load_folds_the_stream_in_order(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn, conn.transaction():
        first = await append(conn, "s-1", 0, [numbered(1), numbered(2)])
        second = await append(conn, "s-1", 2, [numbered(3)])
    assert (first.version, second.version) == (2, 3)
    async with pool.acquire() as conn:
        events = await load(conn, "s-1")
        backlog = await conn.fetchval("SELECT count(*) FROM outbox")
    assert [e.data["n"] for e in events] == [1, 2, 3]
    assert [e.stream_version for e in events] == [1, 2, 3]
    assert backlog == 3  # events and their outbox rows commit together


async def test_stale_expected_version_is_a_conflict_naming_the_current_version(
    pool: asyncpg.Pool,
) -> None:
    async with pool.acquire() as conn:
        async with conn.transaction():
            await append(conn, "s-2", 0, [numbered(1), numbered(2)])
        with pytest.raises(ConcurrencyConflict) as conflict:
            async with conn.transaction():
                await append(conn, "s-2", 1, [numbered(2)])
        assert conflict.value.actual == 2
        with pytest.raises(ConcurrencyConflict):
            async with conn.transaction():
                await append(conn, "s-2", 0, [numbered(1)])
        assert len(await load(conn, "s-2")) == 2


async def test_sixteen_writers_at_one_version_exactly_one_wins_each_round(
    pool: asyncpg.Pool,
) -> None:
    stream = f"race-{uuid.uuid4()}"
    start = asyncio.Event()

    async def writer(version: int) -> bool:
        await start.wait()
        try:
            async with pool.acquire() as conn, conn.transaction():
                await append(conn, stream, version, [numbered(version + 1)])
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
    async with pool.acquire() as conn:
        assert [e.data["n"] for e in await load(conn, stream)] == list(range(1, 21))


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
