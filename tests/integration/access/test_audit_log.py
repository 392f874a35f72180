"""The audit log on a real PostgreSQL: records chain, tampering is found, the chain never forks."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime

import asyncpg
import pytest

from access.audit import append, chain_pending, migrate, pending_count, verify
from access.audit_chain import AuditRecord
from access.break_glass import open_break_glass
from access.principal import Principal, Role
from tests.support.peru import Region

pytestmark = pytest.mark.integration


def record(n: int, purpose: str | None = None) -> AuditRecord:
    return AuditRecord(
        "user-17",
        "ngo-pe",
        "caseworker",
        "case.read_sensitive",
        "case",
        f"case-{n}",
        "allowed",
        purpose,
    )


async def append_many(pool: asyncpg.Pool, count: int) -> None:
    async with pool.acquire() as conn:
        for n in range(1, count + 1):
            async with conn.transaction():
                await append(conn, record(n))
        assert await chain_pending(conn) == count


async def tamper(pool: asyncpg.Pool, sql: str) -> None:
    """Change the log as a superuser would, with the append-only trigger out of the way."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
        await conn.execute(sql)
        await conn.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")


async def test_appends_chain_and_verify(pool: asyncpg.Pool) -> None:
    await append_many(pool, 5)
    async with pool.acquire() as conn:
        await migrate(conn)  # idempotent
        result = await verify(conn)
        head = await conn.fetchval("SELECT hash FROM audit_log WHERE sequence = 5")
    assert (result.ok, result.records, result.head_hash) == (True, 5, head)


async def test_an_empty_log_is_intact(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        assert (await verify(conn)).ok


async def test_a_record_commits_and_rolls_back_with_the_callers_transaction(
    pool: asyncpg.Pool,
) -> None:
    async with pool.acquire() as conn:
        with pytest.raises(RuntimeError):
            async with conn.transaction():
                await append(conn, record(1))
                raise RuntimeError("the command failed")
        async with conn.transaction():
            await append(conn, record(2))
        assert await chain_pending(conn) == 1
        chain = await conn.fetch("SELECT sequence, resource_id FROM audit_log")
        assert [tuple(r) for r in chain] == [(1, "case-2")]  # no gap left by the rollback
        assert (await verify(conn)).ok


async def test_records_wait_in_the_inbox_until_chained_in_commit_order(
    pool: asyncpg.Pool,
) -> None:
    async with pool.acquire() as first, pool.acquire() as second:
        early = first.transaction()
        await early.start()
        await append(first, record(1))  # committed last: chained after record 2
        async with second.transaction():
            await append(second, record(2))
        assert await chain_pending(second) == 1  # record 1 is not committed: not visible
        await early.commit()
        assert await pending_count(second) == 1
        assert await chain_pending(second) == 1
        chain = await second.fetch("SELECT resource_id FROM audit_log ORDER BY sequence")
        assert [r["resource_id"] for r in chain] == ["case-2", "case-1"]
        assert (await pending_count(second), (await verify(second)).ok) == (0, True)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_log SET outcome = 'denied' WHERE sequence = 2",
        "DELETE FROM audit_log WHERE sequence = 2",
        "TRUNCATE audit_log",
        "UPDATE audit_inbox SET outcome = 'denied'",
        "TRUNCATE audit_inbox",
    ],
)
async def test_the_tables_refuse_changes(pool: asyncpg.Pool, sql: str) -> None:
    await append_many(pool, 2)
    async with pool.acquire() as conn, conn.transaction():
        await append(conn, record(3))  # left in the inbox
    async with pool.acquire() as conn:
        with pytest.raises(asyncpg.RaiseError, match="audit_log is append-only"):
            await conn.execute(sql)


async def test_verify_finds_a_modified_record(pool: asyncpg.Pool) -> None:
    await append_many(pool, 5)
    await tamper(pool, "UPDATE audit_log SET resource_id = 'case-99' WHERE sequence = 3")
    async with pool.acquire() as conn:
        result = await verify(conn)
    assert (result.ok, result.first_bad_sequence) == (False, 3)
    assert result.reason == "record 3 does not match its hash: it was modified"


async def test_verify_finds_a_deleted_record(pool: asyncpg.Pool) -> None:
    await append_many(pool, 5)
    await tamper(pool, "DELETE FROM audit_log WHERE sequence = 2")
    async with pool.acquire() as conn:
        result = await verify(conn)
    assert (result.ok, result.first_bad_sequence) == (False, 2)
    assert result.reason == "record 2 is missing (the next record is 3)"


async def test_verify_finds_swapped_records(pool: asyncpg.Pool) -> None:
    await append_many(pool, 5)
    await tamper(
        pool,
        "UPDATE audit_log SET sequence = 1000 WHERE sequence = 3;"
        " UPDATE audit_log SET sequence = 3 WHERE sequence = 4;"
        " UPDATE audit_log SET sequence = 4 WHERE sequence = 1000;",
    )
    async with pool.acquire() as conn:
        result = await verify(conn)
    assert (result.ok, result.first_bad_sequence) == (False, 3)
    assert result.reason == "record 3 does not link to record 2"


async def test_concurrent_appends_and_chainers_never_fork_the_chain(pool: asyncpg.Pool) -> None:
    start, writing = asyncio.Event(), True

    async def writer(n: int) -> None:
        async with pool.acquire() as conn:
            await start.wait()
            for round_ in range(10):
                async with conn.transaction():
                    await append(conn, record(n * 100 + round_))

    async def chainer() -> int:
        moved = 0
        async with pool.acquire() as conn:
            await start.wait()
            while writing or await pending_count(conn):
                moved += await chain_pending(conn, limit=7)
        return moved

    chainers = [asyncio.create_task(chainer()) for _ in range(3)]
    writers = [asyncio.create_task(writer(n)) for n in range(12)]
    start.set()
    await asyncio.gather(*writers)
    writing = False
    assert sum(await asyncio.gather(*chainers)) == 120
    async with pool.acquire() as conn:
        result = await verify(conn)
        links = await conn.fetchval("SELECT count(DISTINCT previous_hash) FROM audit_log")
        ids = await conn.fetchval("SELECT count(DISTINCT resource_id) FROM audit_log")
    assert (result.ok, result.records, links, ids) == (True, 120, 120, 120)


async def run_cli(*args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "access.audit",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_the_verify_command(pool: asyncpg.Pool, database: str) -> None:
    await append_many(pool, 3)
    async with pool.acquire() as conn, conn.transaction():
        await append(conn, record(4))  # committed, not chained yet
    code, out, _ = await run_cli("verify", "--database-url", database)
    assert code == 0
    first, second = out.strip().splitlines()
    assert first.startswith("ok: 3 records intact; head 3:")
    assert second == "1 newer records are committed and waiting to be chained"
    head = first.rsplit(" ", 1)[-1]

    await tamper(pool, "DELETE FROM audit_log WHERE sequence = 3")
    code, _, _ = await run_cli("verify", "--database-url", database)
    assert code == 0  # removing the last record leaves a valid (shorter) chain...
    code, _, err = await run_cli("verify", "--database-url", database, "--known-head", head)
    assert (code, err.strip()) == (
        1,
        "broken at record 3: records 3..3 are missing",
    )  # ...unless the head was noted

    await tamper(pool, "UPDATE audit_log SET actor_role = 'supervisor' WHERE sequence = 1")
    code, _, err = await run_cli("verify", "--database-url", database)
    assert (code, err.strip()) == (
        1,
        "broken at record 1: record 1 does not match its hash: it was modified",
    )


async def test_a_break_glass_reason_is_kept_in_the_audit_log(pool: asyncpg.Pool) -> None:
    supervisor = Principal("sup-1", "ngo-pe", Role.SUPERVISOR, frozenset({Region.LIMA_CALLAO}))
    reason = "survivor moved to Tumbes overnight; the local team needs her safety plan"
    opened = open_break_glass(supervisor, Region.TUMBES, reason, now=datetime.now(UTC))
    async with pool.acquire() as conn:
        async with conn.transaction():
            await append(conn, opened.audit_record)
        await chain_pending(conn)
        stored = await conn.fetchrow("SELECT * FROM audit_log WHERE sequence = 1")
        assert (await verify(conn)).ok
    assert stored is not None
    assert (stored["action"], stored["resource_id"]) == ("break_glass.open", opened.grant.grant_id)
    assert stored["purpose"].endswith(reason)


async def test_the_verify_command_exits_2_when_the_database_is_unreachable() -> None:
    code, _, err = await run_cli("verify", "--database-url", "postgresql://127.0.0.1:9/none")
    assert code == 2
    assert err.startswith("cannot verify:")


async def test_the_verify_command_help() -> None:
    code, out, _ = await run_cli("verify", "--help")
    assert code == 0
    assert "--database-url" in out
