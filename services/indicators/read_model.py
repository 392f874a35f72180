"""The read model in PostgreSQL: one schema per logframe version, holding the ledger's facts.

A schema per logframe version is what makes rule changes safe: a new version is rebuilt from
Kafka into its own schema (by its own consumer, from offset zero) while the previous version's
schema keeps answering; switching is a configuration change, and the old figures stay readable.
The conflict rules of each `INSERT` are those of `Ledger.record`, so arrival order never
matters. `revision` counts committed changes: it names the state in ETags and wakes SSE streams.
"""

# Identifiers in these statements are schema names made from a logframe key, which the loader
# restricts to ^[a-z][a-z0-9_]{0,40}$; every value is a bind parameter.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Sequence

from eventkit.store import Connection
from services.indicators.facts import Act, AttributeSet, Fact, Merge, Revocation
from services.indicators.ledger import Ledger
from services.indicators.logframe import Logframe


def schema_of(logframe: Logframe) -> str:
    """The PostgreSQL schema of a logframe version (its key is a safe identifier)."""
    return f"indicators_{logframe.key}"


def consumer_of(logframe: Logframe, prefix: str = "indicators") -> str:
    """The consumer (group and offsets) that feeds this logframe version."""
    return f"{prefix}.{logframe.key}"


def ddl(logframe: Logframe) -> str:
    """Create the logframe version's schema and tables (idempotent)."""
    s = schema_of(logframe)
    return f"""
CREATE SCHEMA IF NOT EXISTS {s};
CREATE TABLE IF NOT EXISTS {s}.acts (
    indicator text NOT NULL, requirement integer NOT NULL, act_key text NOT NULL,
    subject text NOT NULL, participant_id text NOT NULL, occurred_at timestamptz NOT NULL,
    region text NOT NULL, event_id uuid NOT NULL,
    PRIMARY KEY (indicator, requirement, act_key)
);
CREATE TABLE IF NOT EXISTS {s}.revocations (
    act_key text PRIMARY KEY, occurred_at timestamptz NOT NULL, event_id uuid NOT NULL
);
CREATE TABLE IF NOT EXISTS {s}.person_attributes (
    participant_id text NOT NULL, attribute text NOT NULL, value text NOT NULL,
    set_at timestamptz NOT NULL, event_id uuid NOT NULL,
    PRIMARY KEY (participant_id, attribute)
);
CREATE TABLE IF NOT EXISTS {s}.merges (
    merged_id text PRIMARY KEY, surviving_id text NOT NULL,
    merged_at timestamptz NOT NULL, event_id uuid NOT NULL
);
CREATE TABLE IF NOT EXISTS {s}.revision (
    id integer PRIMARY KEY CHECK (id = 1), n bigint NOT NULL, changed_at timestamptz NOT NULL
);
INSERT INTO {s}.revision VALUES (1, 0, now()) ON CONFLICT DO NOTHING;
"""


async def record(conn: Connection, logframe: Logframe, facts: Sequence[Fact]) -> None:
    """Store facts with the ledger's order-free conflict rules; bump the revision if any."""
    if not facts:
        return
    s = schema_of(logframe)
    acts = [
        (a.indicator, a.requirement, a.act_key, a.subject, a.participant_id, a.occurred_at,
         a.region, a.event_id)
        for a in facts if isinstance(a, Act)
    ]  # fmt: skip
    await conn.executemany(
        f"""INSERT INTO {s}.acts AS t VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT (indicator, requirement, act_key) DO UPDATE SET subject = EXCLUDED.subject,
            participant_id = EXCLUDED.participant_id, occurred_at = EXCLUDED.occurred_at,
            region = EXCLUDED.region, event_id = EXCLUDED.event_id
        WHERE (EXCLUDED.occurred_at, EXCLUDED.event_id) < (t.occurred_at, t.event_id)""",
        acts,
    )
    await conn.executemany(
        f"""INSERT INTO {s}.revocations AS t VALUES ($1, $2, $3) ON CONFLICT (act_key) DO UPDATE
        SET occurred_at = EXCLUDED.occurred_at, event_id = EXCLUDED.event_id
        WHERE (EXCLUDED.occurred_at, EXCLUDED.event_id) < (t.occurred_at, t.event_id)""",
        [(r.act_key, r.occurred_at, r.event_id) for r in facts if isinstance(r, Revocation)],
    )
    await conn.executemany(
        f"""INSERT INTO {s}.person_attributes AS t VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (participant_id, attribute) DO UPDATE SET value = EXCLUDED.value,
            set_at = EXCLUDED.set_at, event_id = EXCLUDED.event_id
        WHERE (EXCLUDED.set_at, EXCLUDED.event_id) > (t.set_at, t.event_id)""",
        [
            (a.participant_id, a.attribute, a.value, a.set_at, a.event_id)
            for a in facts
            if isinstance(a, AttributeSet)
        ],
    )
    await conn.executemany(
        f"""INSERT INTO {s}.merges AS t VALUES ($1, $2, $3, $4) ON CONFLICT (merged_id) DO UPDATE
        SET surviving_id = EXCLUDED.surviving_id, merged_at = EXCLUDED.merged_at,
            event_id = EXCLUDED.event_id
        WHERE (EXCLUDED.merged_at, EXCLUDED.event_id) > (t.merged_at, t.event_id)""",
        [
            (m.merged_id, m.surviving_id, m.merged_at, m.event_id)
            for m in facts
            if isinstance(m, Merge)
        ],
    )
    await conn.execute(f"UPDATE {s}.revision SET n = n + 1, changed_at = now()")


async def revision(conn: Connection, logframe: Logframe) -> int:
    """How many changes the logframe version's read model has committed."""
    return int(await conn.fetchval(f"SELECT n FROM {schema_of(logframe)}.revision"))


async def load_ledger(conn: Connection, logframe: Logframe) -> tuple[int, Ledger]:
    """The revision and whole ledger of a logframe version, read in one consistent snapshot."""
    s = schema_of(logframe)
    ledger = Ledger()
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        at_revision = await revision(conn, logframe)
        acts = await conn.fetch(f"SELECT *, event_id::text AS eid FROM {s}.acts")
        revocations = await conn.fetch(f"SELECT *, event_id::text AS eid FROM {s}.revocations")
        attributes = await conn.fetch(f"SELECT *, event_id::text AS eid FROM {s}.person_attributes")
        merges = await conn.fetch(f"SELECT *, event_id::text AS eid FROM {s}.merges")
    ledger.record(
        Act(r["indicator"], r["requirement"], r["act_key"], r["subject"], r["participant_id"],
            r["occurred_at"], r["region"], r["eid"])
        for r in acts
    )  # fmt: skip
    ledger.record(Revocation(r["act_key"], r["occurred_at"], r["eid"]) for r in revocations)
    ledger.record(
        AttributeSet(r["participant_id"], r["attribute"], r["value"], r["set_at"], r["eid"])
        for r in attributes
    )
    ledger.record(
        Merge(r["merged_id"], r["surviving_id"], r["merged_at"], r["eid"]) for r in merges
    )
    return at_revision, ledger


async def drop(conn: Connection, logframe: Logframe, consumer: str) -> None:
    """Forget a logframe version's read model and its consumer's positions (to rebuild it)."""
    async with conn.transaction():
        await conn.execute(f"DROP SCHEMA IF EXISTS {schema_of(logframe)} CASCADE")
        await conn.execute("DELETE FROM consumer_offsets WHERE consumer = $1", consumer)
        await conn.execute("DELETE FROM processed_events WHERE consumer = $1", consumer)
        await conn.execute(ddl(logframe))
