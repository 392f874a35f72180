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
from collections.abc import Mapping, Sequence
from pathlib import Path

import asyncpg

from access.audit_chain import (
    GENESIS_HASH,
    RECORD_FIELDS,
    AuditRecord,
    ChainCheck,
    ChainedRecord,
    VerifyResult,
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
CREATE OR REPLACE FUNCTION audit_record_hash(
    seq bigint, at timestamptz, actor_subject text, actor_org text, actor_role text,
    action text, resource_type text, resource_id text, outcome text, purpose text, previous text
) RETURNS text LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
    SELECT encode(sha256(convert_to(
        '{"action":' || to_json(action)::text
        || ',"actor_org":' || to_json(actor_org)::text
        || ',"actor_role":' || to_json(actor_role)::text
        || ',"actor_subject":' || to_json(actor_subject)::text
        || ',"outcome":' || to_json(outcome)::text
        || ',"previous_hash":' || to_json(previous)::text
        || ',"purpose":' || coalesce(to_json(purpose)::text, 'null')
        || ',"recorded_at":'
        || to_json(to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text
        || ',"resource_id":' || to_json(resource_id)::text
        || ',"resource_type":' || to_json(resource_type)::text
        || ',"sequence":' || seq::text || '}', 'UTF8')), 'hex')
$$;
CREATE OR REPLACE FUNCTION audit_append(
    actor_subject text, actor_org text, actor_role text, action text, resource_type text,
    resource_id text, outcome text, purpose text
) RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    INSERT INTO audit_inbox (recorded_at, actor_subject, actor_org, actor_role, action,
                             resource_type, resource_id, outcome, purpose)
    VALUES (date_trunc('microseconds', clock_timestamp()), $1, $2, $3, $4, $5, $6, $7, $8)
$$;
CREATE OR REPLACE FUNCTION audit_chain_pending(lim integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    taken bigint[];
    r record;
    seq bigint;
    previous text;
    digest text;
BEGIN
    -- EXCLUSIVE lets readers (verify) through but queues every other chainer behind us; one
    -- that waited then finds only what is left in the inbox.
    LOCK TABLE audit_log IN EXCLUSIVE MODE;
    SELECT array_agg(id ORDER BY id) INTO taken
        FROM (SELECT id FROM audit_inbox ORDER BY id LIMIT lim) AS oldest;
    IF taken IS NULL THEN
        RETURN 0;
    END IF;
    SELECT l.sequence, l.hash INTO seq, previous FROM audit_log l ORDER BY l.sequence DESC LIMIT 1;
    IF NOT FOUND THEN
        seq := 0;
        previous := repeat('0', 64);
    END IF;
    FOR r IN SELECT * FROM audit_inbox WHERE id = ANY(taken) ORDER BY id LOOP
        seq := seq + 1;
        digest := audit_record_hash(seq, r.recorded_at, r.actor_subject, r.actor_org,
            r.actor_role, r.action, r.resource_type, r.resource_id, r.outcome, r.purpose,
            previous);
        INSERT INTO audit_log (sequence, recorded_at, actor_subject, actor_org, actor_role,
            action, resource_type, resource_id, purpose, outcome, previous_hash, hash)
        VALUES (seq, r.recorded_at, r.actor_subject, r.actor_org, r.actor_role, r.action,
            r.resource_type, r.resource_id, r.purpose, r.outcome, previous, digest);
        previous := digest;
    END LOOP;
    DELETE FROM audit_inbox WHERE id = ANY(taken);
    RETURN cardinality(taken);
END $$;
REVOKE ALL ON FUNCTION audit_append(text, text, text, text, text, text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION audit_chain_pending(integer) FROM PUBLIC;
"""
"""The audit tables, and triggers refusing UPDATE, DELETE and TRUNCATE of the chain (PG 14+).

The inbox refuses UPDATE and TRUNCATE; its rows are deleted only as they move into the chain.
Records enter the inbox only through `audit_append` and move into the chain only through
`audit_chain_pending` (SECURITY DEFINER functions of the owner role): the service's own role
(`grant_audit_access`) may call them and read both tables, never write them directly, so a row
typed in by hand is refused and the inbox cannot be emptied. `audit_record_hash` computes in SQL
exactly what `access.audit_chain.record_hash` computes (the tests compare both).
"""

AUDIT_TABLES = ("audit_log", "audit_inbox")


async def grant_audit_access(conn: Connection, role: str) -> None:
    """Let the service's role `role` append and chain through the functions, and read (only)."""
    who = _role(role)
    await conn.execute(
        f"REVOKE ALL ON audit_log, audit_inbox FROM {who};"
        f" GRANT SELECT ON audit_log, audit_inbox TO {who};"
        " GRANT EXECUTE ON FUNCTION audit_append(text, text, text, text, text, text, text, text),"
        f" audit_chain_pending(integer) TO {who};"
    )


def _role(name: str) -> str:
    """A role name as a quoted identifier; only plain names are accepted."""
    if not name.replace("_", "").isalnum() or not name.isascii() or name[0].isdigit():
        raise ValueError(f"not a plain role name: {name!r}")
    return f'"{name}"'


_COLUMNS = ("sequence", "recorded_at", *RECORD_FIELDS, "previous_hash", "hash")
# Built from the constant column names only, never from input.
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM audit_log ORDER BY sequence"  # noqa: S608
_APPEND = f"SELECT audit_append({', '.join(f'${n}' for n in range(1, len(RECORD_FIELDS) + 1))})"


async def migrate(conn: Connection) -> None:
    """Create the audit table and its append-only triggers (idempotent)."""
    async with conn.transaction():
        await conn.execute(AUDIT_DDL)


async def append(conn: Connection, record: AuditRecord) -> None:
    """Record `record` now; it commits or rolls back with the caller's transaction."""
    # Through the owner's function: the service's role may not insert into the inbox itself.
    await conn.execute(_APPEND, *record.values())


async def chain_pending(conn: Connection, limit: int = 1000) -> int:
    """Move up to `limit` committed inbox records into the chain, oldest first; how many moved.

    The linking and hashing run in `audit_chain_pending` (SQL, as the tables' owner), the only
    path from the inbox to the chain.
    """
    return int(await conn.fetchval("SELECT audit_chain_pending($1)", limit))


async def pending_count(conn: Connection) -> int:
    """Records committed but not chained yet."""
    return int(await conn.fetchval("SELECT count(*) FROM audit_inbox"))


async def verify(
    conn: Connection,
    known_head: tuple[int, str] | None = None,
    anchors: Mapping[int, str] | None = None,
) -> VerifyResult:
    """Walk the whole chain in sequence order and report the first break, if any (`anchors`:
    the auditor's signed heads, `access.audit_checkpoints`)."""
    check = ChainCheck(known_head, anchors)
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
    url: str, known_head: tuple[int, str] | None, anchors: Mapping[int, str] | None = None
) -> tuple[VerifyResult, int]:
    conn = await asyncpg.connect(url)
    try:
        return await verify(conn, known_head, anchors), await pending_count(conn)
    finally:
        await conn.close()


async def head(conn: Connection) -> tuple[int, str]:
    """The chain's last (sequence, hash); (0, genesis) when empty."""
    row = await conn.fetchrow("SELECT sequence, hash FROM audit_log ORDER BY sequence DESC LIMIT 1")
    return (int(row["sequence"]), str(row["hash"])) if row else (0, GENESIS_HASH)


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
        "--checkpoints",
        type=Path,
        metavar="FILE",
        help="the auditor's signed checkpoints of this chain (JSON Lines)",
    )
    check.add_argument(
        "--auditor-public-key", type=Path, metavar="PEM", help="verifies the checkpoints"
    )
    check.add_argument("--service", default="", help="the service the checkpoints name")
    check.add_argument(
        "--known-head",
        type=_head,
        metavar="SEQUENCE:HASH",
        help="a head printed by an earlier verify; also catches records removed from the end",
    )
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("--database-url (or PANA_DATABASE_URL) is required")
    if (args.checkpoints is None) != (args.auditor_public_key is None):
        parser.error("--checkpoints and --auditor-public-key go together")
    signed: dict[int, str] | None = None
    if args.checkpoints is not None:
        from access import audit_checkpoints as checkpoints

        try:
            key = checkpoints.load_public(args.auditor_public_key)
            stored = checkpoints.load(args.checkpoints)
            signed = checkpoints.anchors(stored, key, args.service or stored[0].service)
        except IndexError:
            print(f"broken: {args.checkpoints} holds no checkpoint", file=sys.stderr)
            return 1
        except ValueError as exc:
            print(f"broken: {exc}", file=sys.stderr)
            return 1
    try:
        result, pending = asyncio.run(_verify_database(args.database_url, args.known_head, signed))
    except (OSError, asyncpg.PostgresError) as exc:
        print(f"cannot verify: {exc}", file=sys.stderr)
        return 2
    if result.ok:
        anchored = f", {len(signed)} signed checkpoints hold" if signed else ""
        print(f"ok: {result.reason}{anchored}; head {result.records}:{result.head_hash}")
        if pending:
            print(f"{pending} newer records are committed and waiting to be chained")
        return 0
    print(f"broken at record {result.first_bad_sequence}: {result.reason}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
