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

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from eventkit.store import Connection
from services.indicators import counted_state, deferred, indirect, recorded
from services.indicators.facts import Act, AttributeSet, Fact, Merge, Revocation
from services.indicators.ledger import Ledger
from services.indicators.logframe import Logframe


def schema_of(logframe: Logframe) -> str:
    """The PostgreSQL schema of a logframe version (its key is a safe identifier)."""
    return f"indicators_{logframe.key}"


def consumer_of(logframe: Logframe, prefix: str = "indicators") -> str:
    """The consumer (group and offsets) that feeds this logframe version."""
    return f"{prefix}.{logframe.key}"


TABLES = ("acts", "revocations", "person_attributes", "merges")


def ddl(logframe: Logframe) -> str:
    """Create the logframe version's schema and tables (idempotent; adds what older ones lack)."""
    s = schema_of(logframe)
    return f"""
CREATE SCHEMA IF NOT EXISTS {s};
CREATE TABLE IF NOT EXISTS {s}.acts (
    indicator text NOT NULL, requirement integer NOT NULL, act_key text NOT NULL,
    subject text NOT NULL, participant_id text NOT NULL, occurred_at timestamptz NOT NULL,
    region text NOT NULL, event_id uuid NOT NULL,
    PRIMARY KEY (indicator, requirement, act_key)
);
ALTER TABLE {s}.acts ADD COLUMN IF NOT EXISTS admin2 text NOT NULL DEFAULT '';
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
ALTER TABLE {s}.revision
    ADD COLUMN IF NOT EXISTS generation uuid NOT NULL DEFAULT gen_random_uuid();
""" + "".join(
        f"""ALTER TABLE {s}.{table} ADD COLUMN IF NOT EXISTS rev bigint NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS {table}_rev ON {s}.{table} (rev);
"""
        for table in TABLES
    ) + _log_ddl(s) + counted_state.ddl(s, logframe) + deferred.ddl(s) \
      + indirect.ddl(s)  # fmt: skip


def _log_ddl(s: str) -> str:
    """The append-only log of every fact with the time its event was recorded (`recorded`).

    Created with the facts already stored, as recorded at `-infinity` (a read model older than
    the log has no recording times; a rebuild by replay gives the exact history). It has no key:
    the consumer applies each event once (`eventkit.consumer`), and a fact logged twice would
    change nothing anyway, since reading the log records its facts into a `Ledger`, whose
    conflict rules keep one fact per key (a unique index on the facts cost a rebuild more than
    any other write).
    """
    return f"""DO $$ BEGIN
IF to_regclass('{s}.recorded') IS NULL THEN
    CREATE TABLE {s}.recorded (
        kind text NOT NULL, fact jsonb NOT NULL, event_id uuid NOT NULL,
        recorded_at timestamptz NOT NULL
    );
    INSERT INTO {s}.recorded SELECT 'act', jsonb_build_array(indicator, requirement, act_key,
        subject, participant_id, occurred_at, region, event_id), event_id, '-infinity'
        FROM {s}.acts;
    INSERT INTO {s}.recorded SELECT 'revocation',
        jsonb_build_array(act_key, occurred_at, event_id), event_id, '-infinity'
        FROM {s}.revocations;
    INSERT INTO {s}.recorded SELECT 'attribute',
        jsonb_build_array(participant_id, attribute, value, set_at, event_id), event_id,
        '-infinity' FROM {s}.person_attributes;
    INSERT INTO {s}.recorded SELECT 'merge',
        jsonb_build_array(merged_id, surviving_id, merged_at, event_id), event_id, '-infinity'
        FROM {s}.merges;
END IF;
END $$;
ALTER TABLE {s}.recorded DROP CONSTRAINT IF EXISTS recorded_pkey;
"""


# One statement per table and batch. The batch's rows travel as one JSON array of arrays
# (orjson writes the fact tuples directly) and PostgreSQL reads them back into typed columns:
# no per-value encoding in Python. `DISTINCT ON` keeps one row per key by `Ledger.record`'s rule
# (ON CONFLICT DO UPDATE may not touch a row twice in one statement), rows go in primary-key
# order (the index is walked once, left to right), then each stored row is kept or replaced by
# the same rule; `rev` marks the rows a batch changed.
_ROWS = "FROM jsonb_array_elements($1::text::jsonb) AS e"
_UPSERTS = {
    Act: f"""WITH r AS (
        SELECT e->>0 AS indicator, (e->>1)::int AS requirement, e->>2 AS act_key,
            e->>3 AS subject, e->>4 AS participant_id, (e->>5)::timestamptz AS occurred_at,
            e->>6 AS region, (e->>7)::uuid AS event_id, coalesce(e->>8, '') AS admin2 {_ROWS})
    INSERT INTO {{s}}.acts AS t (indicator, requirement, act_key, subject, participant_id,
        occurred_at, region, event_id, admin2, rev)
    SELECT DISTINCT ON (indicator, requirement, act_key) *, $2::bigint FROM r
    ORDER BY indicator, requirement, act_key, occurred_at, event_id
    ON CONFLICT (indicator, requirement, act_key) DO UPDATE SET subject = EXCLUDED.subject,
        participant_id = EXCLUDED.participant_id, occurred_at = EXCLUDED.occurred_at,
        region = EXCLUDED.region, event_id = EXCLUDED.event_id, admin2 = EXCLUDED.admin2,
        rev = EXCLUDED.rev
    WHERE (EXCLUDED.occurred_at, EXCLUDED.event_id) < (t.occurred_at, t.event_id)""",
    Revocation: f"""WITH r AS (
        SELECT e->>0 AS act_key, (e->>1)::timestamptz AS occurred_at, (e->>2)::uuid AS event_id
        {_ROWS})
    INSERT INTO {{s}}.revocations AS t (act_key, occurred_at, event_id, rev)
    SELECT DISTINCT ON (act_key) *, $2::bigint FROM r ORDER BY act_key, occurred_at, event_id
    ON CONFLICT (act_key) DO UPDATE
    SET occurred_at = EXCLUDED.occurred_at, event_id = EXCLUDED.event_id, rev = EXCLUDED.rev
    WHERE (EXCLUDED.occurred_at, EXCLUDED.event_id) < (t.occurred_at, t.event_id)""",
    AttributeSet: f"""WITH r AS (
        SELECT e->>0 AS participant_id, e->>1 AS attribute, e->>2 AS value,
            (e->>3)::timestamptz AS set_at, (e->>4)::uuid AS event_id {_ROWS})
    INSERT INTO {{s}}.person_attributes AS t
        (participant_id, attribute, value, set_at, event_id, rev)
    SELECT DISTINCT ON (participant_id, attribute) *, $2::bigint FROM r
    ORDER BY participant_id, attribute, set_at DESC, event_id DESC
    ON CONFLICT (participant_id, attribute) DO UPDATE SET value = EXCLUDED.value,
        set_at = EXCLUDED.set_at, event_id = EXCLUDED.event_id, rev = EXCLUDED.rev
    WHERE (EXCLUDED.set_at, EXCLUDED.event_id) > (t.set_at, t.event_id)""",
    Merge: f"""WITH r AS (
        SELECT e->>0 AS merged_id, e->>1 AS surviving_id, (e->>2)::timestamptz AS merged_at,
            (e->>3)::uuid AS event_id {_ROWS})
    INSERT INTO {{s}}.merges AS t (merged_id, surviving_id, merged_at, event_id, rev)
    SELECT DISTINCT ON (merged_id) *, $2::bigint FROM r
    ORDER BY merged_id, merged_at DESC, event_id DESC
    ON CONFLICT (merged_id) DO UPDATE SET surviving_id = EXCLUDED.surviving_id,
        merged_at = EXCLUDED.merged_at, event_id = EXCLUDED.event_id, rev = EXCLUDED.rev
    WHERE (EXCLUDED.merged_at, EXCLUDED.event_id) > (t.merged_at, t.event_id)""",
}


_LOG = """INSERT INTO {s}.recorded (kind, fact, event_id, recorded_at)
    SELECT e->>0, e->1, (e->>3)::uuid, coalesce((e->>2)::timestamptz, now()) {rows}"""


async def record(
    conn: Connection,
    logframe: Logframe,
    facts: Sequence[Fact],
    recorded_at: Mapping[str, datetime] | None = None,
    *,
    replaying: bool = False,
    whole: bool = False,
) -> bool:
    """Store facts with the ledger's order-free conflict rules; True if any row changed.

    Every fact is also appended to the `recorded` log with the time its event was recorded
    (`recorded_at`, by event id: the envelope's `time`; now, for an event not in it), so the
    figures as recorded by any day can be computed (`load_recorded`).

    The counted state of the subjects the facts can affect is recounted in the same
    transaction (`counted_state.recount`), so it always matches the facts stored; while
    `replaying`, the recount is only kept for later (`deferred`: `settle` does it), and with
    `whole` (a replay into an empty read model) not even its seeds are found: `settle`
    recounts everything.

    Rows the facts change are marked with the next revision, which is committed only when
    something changed. The revision row is locked first: writers of one read model commit one
    after the other, so revisions follow commit order and "rows with `rev` above n" are exactly
    the changes a reader at revision n has not seen.
    """
    if not facts:
        return False
    s = schema_of(logframe)
    by_kind: dict[type, list[Fact]] = {}
    for fact in facts:
        kind = type(fact)
        rows = by_kind.get(kind)
        if rows is None:
            rows = by_kind[kind] = []
        rows.append(fact)
    rev = 1 + await conn.fetchval(f"SELECT n FROM {s}.revision FOR UPDATE")
    keep_all = replaying and whole
    seeds = None if keep_all else await counted_state.seeds(conn, s, logframe, facts)
    when = recorded_at or {}
    entries = [
        (recorded.KINDS[type(f)], recorded.logged(f), when.get(f.event_id), f.event_id)
        for f in facts
    ]
    await conn.execute(_LOG.format(s=s, rows=_ROWS), orjson.dumps(entries, default=tuple).decode())
    changed = 0
    for kind, upsert in _UPSERTS.items():
        rows = by_kind.get(kind)
        if rows:
            # orjson writes named tuples through `default`: each fact becomes a JSON array.
            payload = orjson.dumps(rows, default=tuple).decode()
            status = await conn.execute(upsert.format(s=s), payload, rev)
            changed += int(status.rsplit(" ", 1)[1])
    if changed:
        if seeds is None:
            await deferred.keep_whole(conn, s)
        elif replaying:
            await deferred.keep(conn, s, seeds)
        else:
            await counted_state.recount(conn, s, logframe, seeds)
        await conn.execute(f"UPDATE {s}.revision SET n = $1, changed_at = now()", rev)
    return changed > 0


async def settle(conn: Connection, logframe: Logframe) -> bool:
    """Recount what batches kept while replaying (`deferred`); True if anything was kept.

    Takes the revision row's lock as `record` does, and commits a new revision if it recounted.
    """
    s = schema_of(logframe)
    rev = 1 + await conn.fetchval(f"SELECT n FROM {s}.revision FOR UPDATE")
    if not await deferred.settle(conn, s, logframe):
        return False
    await conn.execute(f"UPDATE {s}.revision SET n = $1, changed_at = now()", rev)
    return True


async def revision(conn: Connection, logframe: Logframe) -> int:
    """How many changes the logframe version's read model has committed."""
    return int(await conn.fetchval(f"SELECT n FROM {schema_of(logframe)}.revision"))


async def state(conn: Connection, logframe: Logframe) -> tuple[int, str]:
    """The revision and generation (a new one each time the schema is created) of a read model."""
    row = await conn.fetchrow(f"SELECT n, generation::text FROM {schema_of(logframe)}.revision")
    assert row is not None, "the revision row is created with the schema"
    return int(row[0]), str(row[1])


@dataclass(frozen=True)
class Changes:
    """What changed in a read model since a revision: its facts as they are now.

    `whole` when the facts are the whole read model (first load, or the read model was
    dropped and rebuilt since: another `generation`), else only the rows changed after `since`.
    """

    revision: int
    generation: str
    whole: bool
    facts: list[Fact]


_FETCH_ROWS = 20_000


async def load_changes(
    conn: Connection, logframe: Logframe, since: int | None = None, generation: str | None = None
) -> Changes:
    """The facts changed after revision `since` of `generation`, read in one snapshot.

    Merging them into the ledger of revision `since` (`Ledger.record`) gives the ledger at the
    returned revision: each row holds the winner of its key among every fact stored so far,
    which beats whatever the older ledger kept for that key.
    """
    s = schema_of(logframe)
    facts: list[Fact] = []
    strings: dict[str, str] = {}
    share = strings.setdefault  # one object per repeated id, indicator or region
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        row = await conn.fetchrow(f"SELECT n, generation::text AS g FROM {s}.revision")
        assert row is not None, "the revision row is created with the schema"
        at, current = int(row["n"]), str(row["g"])
        whole = since is None or generation != current or since > at
        after = -1 if whole else since
        if not whole and since == at:
            return Changes(at, current, False, [])

        async def rows(query: str) -> AsyncIterator[list[Any]]:
            cursor = await conn.cursor(query, after)
            while page := await cursor.fetch(_FETCH_ROWS):
                yield page

        async for page in rows(
            "SELECT indicator, requirement, act_key, subject, participant_id, occurred_at,"
            f" region, event_id::text, admin2 FROM {s}.acts WHERE rev > $1"
        ):
            facts.extend(
                Act(share(r[0], r[0]), r[1], r[2], share(r[3], r[3]), share(r[4], r[4]), r[5],
                    share(r[6], r[6]), r[7], share(r[8], r[8]))
                for r in page
            )  # fmt: skip
        async for page in rows(
            f"SELECT act_key, occurred_at, event_id::text FROM {s}.revocations WHERE rev > $1"
        ):
            facts.extend(Revocation(r[0], r[1], r[2]) for r in page)
        async for page in rows(
            "SELECT participant_id, attribute, value, set_at, event_id::text"
            f" FROM {s}.person_attributes WHERE rev > $1"
        ):
            facts.extend(
                AttributeSet(share(r[0], r[0]), share(r[1], r[1]), share(r[2], r[2]), r[3], r[4])
                for r in page
            )
        async for page in rows(
            "SELECT merged_id, surviving_id, merged_at, event_id::text"
            f" FROM {s}.merges WHERE rev > $1"
        ):
            facts.extend(Merge(share(r[0], r[0]), share(r[1], r[1]), r[2], r[3]) for r in page)
    return Changes(at, current, whole, facts)


async def load_ledger(conn: Connection, logframe: Logframe) -> tuple[int, Ledger]:
    """The revision and whole ledger of a logframe version, read in one consistent snapshot."""
    changes = await load_changes(conn, logframe)
    ledger = Ledger()
    ledger.record(changes.facts)
    return changes.revision, ledger


async def load_recorded(
    conn: Connection, logframe: Logframe, before: datetime
) -> tuple[int, Ledger]:
    """The revision and the ledger of the facts recorded before `before`, in one snapshot.

    Reads the whole log up to then (slow next to the counted state; for "as recorded by").
    """
    s = schema_of(logframe)
    ledger = Ledger()
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        at = int(await conn.fetchval(f"SELECT n FROM {s}.revision"))
        cursor = await conn.cursor(
            f"SELECT kind, fact::text FROM {s}.recorded WHERE recorded_at < $1", before
        )
        while page := await cursor.fetch(_FETCH_ROWS):
            ledger.record(recorded.decode(r[0], orjson.loads(r[1])) for r in page)
    return at, ledger


async def drop(conn: Connection, logframe: Logframe, consumer: str) -> None:
    """Forget a logframe version's read model and its consumer's positions (to rebuild it)."""
    async with conn.transaction():
        await conn.execute(f"DROP SCHEMA IF EXISTS {schema_of(logframe)} CASCADE")
        await conn.execute("DELETE FROM consumer_offsets WHERE consumer = $1", consumer)
        await conn.execute("DELETE FROM processed_events WHERE consumer = $1", consumer)
        await conn.execute(ddl(logframe))
