"""The tables the shared runtime owns in each service's database.

`events` is the store (one row per event, unique per stream and version); `streams` holds each
stream's current version, the row that serialises writers of one stream; `outbox` lists events not
yet acknowledged by Kafka (delete-on-publish, see `relay.py`); `idempotency_keys` remembers each
command's first answer. The consumer side keeps its offsets and processed event ids beside the
read model it feeds.
"""

from __future__ import annotations

import asyncpg

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
DROP TRIGGER IF EXISTS outbox_notify ON outbox;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
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


async def migrate(pool: asyncpg.Pool, *ddl: str) -> None:
    """Create the tables (idempotent), one replica at a time."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
        for statement in ddl:
            await conn.execute(statement)


async def grant_service_role(conn: asyncpg.Connection, role: str) -> None:
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
