"""The audit log on a real PostgreSQL: appends chain, tampering is found, the chain never forks."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime

import asyncpg
import pytest

from access.audit import append, migrate, verify
from access.audit_chain import AuditRecord
from access.break_glass import open_break_glass
from access.principal import Principal, Region, Role

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
            kept = await append(conn, record(2))
        assert kept.sequence == 1  # no gap left by the rolled-back append
        assert (await verify(conn)).ok


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_log SET outcome = 'denied' WHERE sequence = 2",
        "DELETE FROM audit_log WHERE sequence = 2",
        "TRUNCATE audit_log",
    ],
)
async def test_the_table_refuses_changes(pool: asyncpg.Pool, sql: str) -> None:
    await append_many(pool, 2)
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


async def test_twenty_concurrent_appends_never_fork_the_chain(pool: asyncpg.Pool) -> None:
    start = asyncio.Event()

    async def writer(n: int) -> int:
        async with pool.acquire() as conn:
            await start.wait()
            async with conn.transaction():
                return (await append(conn, record(n))).sequence

    tasks = [asyncio.create_task(writer(n)) for n in range(20)]
    start.set()
    sequences = await asyncio.gather(*tasks)
    assert sorted(sequences) == list(range(1, 21))
    async with pool.acquire() as conn:
        result = await verify(conn)
        links = await conn.fetchval("SELECT count(DISTINCT previous_hash) FROM audit_log")
    assert (result.ok, result.records, links) == (True, 20, 20)


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
    code, out, _ = await run_cli("verify", "--database-url", database)
    assert code == 0
    assert out.startswith("ok: 3 records intact; head 3:")
    head = out.strip().rsplit(" ", 1)[-1]

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
