"""The append-only, tamper-evident audit log in PostgreSQL, and its `verify` command.

`append` runs in the caller's transaction, so a command and its audit record commit together:
it writes the record to `audit_inbox`, taking no lock. `chain_pending` (run by every service's
`AuditChainer`, a fraction of a second later) moves committed inbox records into `audit_log`,
linking each to the one before under a table lock, so the chain never forks. Chaining in the
request's own transaction held that lock until the request committed and serialised every
command of the service behind it (BENCHMARKS.md, benchmark 3). Records waiting in the inbox are
already durable; they are tamper-evident from the moment they are chained.

    python -m access.audit verify --database-url postgresql://...
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

import asyncpg

from access.audit_chain import (
    GENESIS_HASH,
    RECORD_FIELDS,
    AuditRecord,
    ChainCheck,
    ChainedRecord,
    VerifyResult,
    record_hash,
)
from eventkit.store import Connection

AUDIT_DDL = """
CREATE TABLE IF NOT EXISTS audit_log (
    sequence      bigint PRIMARY KEY CHECK (sequence > 0),
    recorded_at   timestamptz NOT NULL,
    actor_subject text NOT NULL,
    actor_org     text NOT NULL,
    actor_role    text NOT NULL,
    action        text NOT NULL,
    resource_type text NOT NULL,
    resource_id   text NOT NULL,
    purpose       text,
    outcome       text NOT NULL,
    previous_hash text NOT NULL,
    hash          text NOT NULL
);
CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END $$;
CREATE OR REPLACE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE OR REPLACE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
CREATE TABLE IF NOT EXISTS audit_inbox (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    recorded_at   timestamptz NOT NULL,
    actor_subject text NOT NULL,
    actor_org     text NOT NULL,
    actor_role    text NOT NULL,
    action        text NOT NULL,
    resource_type text NOT NULL,
    resource_id   text NOT NULL,
    purpose       text,
    outcome       text NOT NULL
);
CREATE OR REPLACE TRIGGER audit_inbox_no_update BEFORE UPDATE ON audit_inbox
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE OR REPLACE TRIGGER audit_inbox_no_truncate BEFORE TRUNCATE ON audit_inbox
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
"""
"""The audit tables, and triggers refusing UPDATE, DELETE and TRUNCATE of the chain (PG 14+).

The inbox refuses UPDATE and TRUNCATE; its rows are deleted only as they move into the chain.
"""

_COLUMNS = ("sequence", "recorded_at", *RECORD_FIELDS, "previous_hash", "hash")
# Both built from the constant column names only, never from input.
_PLACEHOLDERS = ", ".join(f"${n}" for n in range(1, len(_COLUMNS) + 1))
_INSERT = f"INSERT INTO audit_log ({', '.join(_COLUMNS)}) VALUES ({_PLACEHOLDERS})"  # noqa: S608
_INBOX_COLUMNS = ", ".join(("recorded_at", *RECORD_FIELDS))
_INBOX_VALUES = ", ".join(f"${n}" for n in range(1, len(RECORD_FIELDS) + 2))
_INBOX_INSERT = f"INSERT INTO audit_inbox ({_INBOX_COLUMNS}) VALUES ({_INBOX_VALUES})"  # noqa: S608
_INBOX_TAKE = f"""DELETE FROM audit_inbox
WHERE id IN (SELECT id FROM audit_inbox ORDER BY id LIMIT $1)
RETURNING id, {_INBOX_COLUMNS}"""  # noqa: S608
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM audit_log ORDER BY sequence"  # noqa: S608


async def migrate(conn: Connection) -> None:
    """Create the audit table and its append-only triggers (idempotent)."""
    async with conn.transaction():
        await conn.execute(AUDIT_DDL)


async def append(conn: Connection, record: AuditRecord) -> None:
    """Record `record` now; it commits or rolls back with the caller's transaction."""
    # Truncated to microseconds by datetime already, so it reads back from PostgreSQL exactly.
    await conn.execute(_INBOX_INSERT, datetime.now(UTC), *record.values())


async def chain_pending(conn: Connection, limit: int = 1000) -> int:
    """Move up to `limit` committed inbox records into the chain, oldest first; how many moved."""
    async with conn.transaction():
        # EXCLUSIVE lets readers (verify) through but queues every other chainer behind us;
        # one that waited then finds only what is left in the inbox.
        await conn.execute("LOCK TABLE audit_log IN EXCLUSIVE MODE")
        pending = await conn.fetch(_INBOX_TAKE, limit)
        if not pending:
            return 0
        last = await conn.fetchrow(
            "SELECT sequence, hash FROM audit_log ORDER BY sequence DESC LIMIT 1"
        )
        sequence, previous = (last["sequence"], last["hash"]) if last else (0, GENESIS_HASH)
        rows = []
        for row in sorted(pending, key=lambda r: r["id"]):
            record = AuditRecord(*(row[name] for name in RECORD_FIELDS))
            sequence += 1
            digest = record_hash(sequence, row["recorded_at"], record, previous)
            rows.append((sequence, row["recorded_at"], *record.values(), previous, digest))
            previous = digest
        await conn.executemany(_INSERT, rows)
        return len(rows)


async def pending_count(conn: Connection) -> int:
    """Records committed but not chained yet."""
    return int(await conn.fetchval("SELECT count(*) FROM audit_inbox"))


async def verify(conn: Connection, known_head: tuple[int, str] | None = None) -> VerifyResult:
    """Walk the whole chain in sequence order and report the first break, if any."""
    check = ChainCheck(known_head)
    # One snapshot for the whole walk, so records appended meanwhile cannot confuse it.
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        async for row in conn.cursor(_SELECT, prefetch=1000):
            if not check.add(_chained(row)):
                break
    return check.result()


def _chained(row: asyncpg.Record) -> ChainedRecord:
    record = AuditRecord(*(row[name] for name in RECORD_FIELDS))
    return ChainedRecord(
        row["sequence"], row["recorded_at"], record, row["previous_hash"], row["hash"]
    )


async def _verify_database(
    url: str, known_head: tuple[int, str] | None
) -> tuple[VerifyResult, int]:
    conn = await asyncpg.connect(url)
    try:
        return await verify(conn, known_head), await pending_count(conn)
    finally:
        await conn.close()


def _head(text: str) -> tuple[int, str]:
    sequence, _, digest = text.partition(":")
    return int(sequence), digest


def main(argv: Sequence[str] | None = None) -> int:
    """`verify`: exit 0 when the chain is intact, 1 with the reason when not, 2 if unreachable."""
    parser = argparse.ArgumentParser(
        prog="python -m access.audit",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("verify", help="check the whole hash chain")
    check.add_argument(
        "--database-url",
        default=os.environ.get("PANA_DATABASE_URL"),
        help="the database holding audit_log (default: PANA_DATABASE_URL)",
    )
    check.add_argument(
        "--known-head",
        type=_head,
        metavar="SEQUENCE:HASH",
        help="a head printed by an earlier verify; also catches records removed from the end",
    )
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("--database-url (or PANA_DATABASE_URL) is required")
    try:
        result, pending = asyncio.run(_verify_database(args.database_url, args.known_head))
    except (OSError, asyncpg.PostgresError) as exc:
        print(f"cannot verify: {exc}", file=sys.stderr)
        return 2
    if result.ok:
        print(f"ok: {result.reason}; head {result.records}:{result.head_hash}")
        if pending:
            print(f"{pending} newer records are committed and waiting to be chained")
        return 0
    print(f"broken at record {result.first_bad_sequence}: {result.reason}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
