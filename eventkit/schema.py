"""The tables the shared runtime owns in each service's database.

`events` is the store (one row per event, unique per stream and version); `streams` holds each
stream's current version, the row that serialises writers of one stream; `outbox` lists events not
yet acknowledged by Kafka (delete-on-publish, see `relay.py`); `idempotency_keys` remembers each
command's first answer. The consumer side keeps its offsets and processed event ids beside the
read model it feeds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Sequence

import asyncpg

from eventkit.store import Connection

STORE_DDL = """
CREATE TABLE IF NOT EXISTS streams (
    stream_id   text PRIMARY KEY,
    version     integer NOT NULL CHECK (version > 0)
);
CREATE TABLE IF NOT EXISTS events (
    position        bigserial PRIMARY KEY,
    event_id        uuid NOT NULL UNIQUE,
    stream_id       text NOT NULL,
    stream_version  integer NOT NULL,
    event_type      text NOT NULL,
    schema_version  integer NOT NULL,
    data            jsonb NOT NULL,
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    traceparent     text,
    UNIQUE (stream_id, stream_version)
);
CREATE TABLE IF NOT EXISTS outbox (
    position    bigint PRIMARY KEY REFERENCES events (position)
);
CREATE OR REPLACE FUNCTION notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('pana_outbox', '');
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION notify_outbox();
CREATE TABLE IF NOT EXISTS idempotency_keys (
    key           text PRIMARY KEY,
    request_hash  text NOT NULL,
    status_code   integer NOT NULL,
    body          jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
"""

CONSUMER_DDL = """
CREATE TABLE IF NOT EXISTS consumer_offsets (
    consumer     text NOT NULL,
    topic        text NOT NULL,
    partition    integer NOT NULL,
    next_offset  bigint NOT NULL,
    PRIMARY KEY (consumer, topic, partition)
);
CREATE TABLE IF NOT EXISTS processed_events (
    consumer      text NOT NULL,
    event_id      uuid NOT NULL,
    processed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
CREATE TABLE IF NOT EXISTS replay_targets (
    consumer  text NOT NULL,
    topic     text NOT NULL,
    partition integer NOT NULL,
    target    bigint NOT NULL,
    PRIMARY KEY (consumer, topic, partition)
);
"""

# Any constant shared by all replicas: DDL of two processes starting at once is serialised.
MIGRATION_LOCK = 7_315_001

SCHEMA_APPLIED_DDL = """
CREATE TABLE IF NOT EXISTS schema_applied (
    digest      text PRIMARY KEY,
    applied_at  timestamptz NOT NULL DEFAULT now()
);
"""

MIGRATION_LOCK_TIMEOUT = "500ms"
"""How long a service's start-up migration waits for a table lock before it gives way and retries.

Below PostgreSQL's `deadlock_timeout` (1 s by default), so a migration that would deadlock with a
request is the one that fails (and is retried a second later), never the request."""


async def migrate(pool: asyncpg.Pool, *ddl: str) -> None:
    """Create the tables (idempotent), one replica at a time."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
        for statement in ddl:
            await conn.execute(statement)


def schema_digest(ddl: Sequence[str], *also: str) -> str:
    """What identifies one version of a service's schema: its DDL and whatever else shapes it."""
    return hashlib.sha256("\x00".join((*ddl, *also)).encode()).hexdigest()


async def migrate_changed(
    conn: Connection,
    ddl: Sequence[str],
    digest: str,
    then: Callable[[Connection], Awaitable[None]] | None = None,
) -> bool:
    """Run `ddl` (and `then`, in the same transaction) unless a schema with `digest` was applied
    already; whether it ran.

    A service starts while its replicas serve requests: `CREATE OR REPLACE TRIGGER`, `CREATE INDEX`
    and their like lock tables that requests write, so running unchanged DDL at every start makes
    a restart queue (or deadlock) the requests in flight. A restart of the same version runs
    nothing; a new version's DDL waits at most `MIGRATION_LOCK_TIMEOUT` for each lock and is
    retried by the caller. A table dropped by hand is not re-created until the DDL changes.
    """
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
        await conn.execute(SCHEMA_APPLIED_DDL)
        if await conn.fetchval("SELECT true FROM schema_applied WHERE digest = $1", digest):
            return False
        await conn.execute(f"SET LOCAL lock_timeout = '{MIGRATION_LOCK_TIMEOUT}'")
        for statement in ddl:
            await conn.execute(statement)
        if then is not None:
            await then(conn)
        await conn.execute("INSERT INTO schema_applied (digest) VALUES ($1)", digest)
    return True


_UNGRANTED = (
    "SELECT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind IN ('r', 'p', 'S') AND c.relname <> 'schema_applied'"
    " AND (n.nspname = 'public' OR (n.nspowner = current_user::regrole"
    " AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'))"
    " AND (NOT has_schema_privilege($1, n.oid, 'USAGE')"
    " OR NOT has_table_privilege($1, c.oid, 'SELECT')))"
)


async def lacks_grants(conn: Connection, role: str) -> bool:
    """Whether a table of the owner's has appeared since `role` was last given the data (a
    read model dropped and created again by the owner, `pana-ops rebuild`). Reads the catalog
    only: no lock."""
    return bool(await conn.fetchval(_UNGRANTED, role))


async def grant_service_role(conn: Connection, role: str) -> None:
    """Give the service's role `role` the data, not the schema: DML on every table and sequence
    of `public` and of the schemas the connected (owner) role owns; it owns nothing, so it can
    neither alter a table nor disable a trigger. `access.audit.grant_audit_access` then narrows
    the audit tables to reading."""
    if not role.replace("_", "").isalnum() or not role.isascii() or role[0].isdigit():
        raise ValueError(f"not a plain role name: {role!r}")
    if role == await conn.fetchval("SELECT current_user"):
        raise ValueError("the service must connect as a role other than the schema's owner")
    schemas = await conn.fetch(
        "SELECT nspname FROM pg_namespace WHERE nspname = 'public'"
        " OR (nspowner = current_user::regrole AND nspname NOT LIKE 'pg\\_%'"
        " AND nspname <> 'information_schema')"
    )
    # Nobody but the owner creates in `public`: a look-alike function or table there could
    # otherwise shadow what the owner's SECURITY DEFINER functions call (PostgreSQL 15+ does
    # this by default; a warning, not an error, where the owner does not own `public`).
    await conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    for row in schemas:
        schema = '"' + row["nspname"].replace('"', '""') + '"'
        await conn.execute(
            f'GRANT USAGE ON SCHEMA {schema} TO "{role}";'
            f" GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA {schema}"
            f' TO "{role}";'
            f' GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO "{role}";'
        )
