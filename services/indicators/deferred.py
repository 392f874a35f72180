"""Recounts deferred while a read model replays: each subject recounted once, not per batch.

A replay (a rebuild, or a consumer catching up from far behind: `eventkit.replay`) delivers one
person's events over many batches, since their topics and partitions are read side by side; a
recount per batch (`counted_state.recount`) then recounts the person once per batch that
touches them, and that recount is most of a batch's cost. While the replay runs, its readers are
told the figures are partial, so a batch only stores its facts and keeps its seeds (`keep`, in
the `pending` table, in the batch's transaction: a restart loses nothing); the batch that ends
the replay, or the runner once it has (`AttainmentProjection.caught_up`), recounts every kept
seed (`settle`) in chunks, each subject once. A recount reads the facts stored, so recounting
the union of many batches' seeds once gives what recounting each batch's did: every seed names
a record, case or act key whose subjects are found again from the facts as they are now.

A replay into an empty read model (a rebuild: its revision still 0 when the replay's first batch
is applied) keeps no seed at all: every subject will be recounted, so its batches skip finding
their seeds, keep one `whole` mark instead, and `settle` makes the counted state anew from every
fact stored (`counted_state.recount_all`), without reading back candidates it would replace.
"""

# Identifiers are the logframe's schema name (a safe identifier); values are bind parameters.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from eventkit.consumer import Delivered
from eventkit.store import Connection
from services.indicators.counted_state import Seeds, recount, recount_all
from services.indicators.logframe import Logframe

CHUNK = 20_000
"""Seeds recounted together by `settle`: their facts are held in memory at once."""


def ddl(schema: str) -> str:
    """The seeds kept: `kind` names the `Seeds` field, `a` and `b` its value, a record's id
    first (so `settle`'s chunks, in key order, hold each record's seeds together)."""
    return f"""
CREATE TABLE IF NOT EXISTS {schema}.pending (
    a text NOT NULL, kind text NOT NULL, b text NOT NULL DEFAULT '', PRIMARY KEY (a, kind, b)
);
"""


_STATE = """
SELECT EXISTS (
    SELECT FROM replay_targets t
    LEFT JOIN consumer_offsets o USING (consumer, topic, partition)
    LEFT JOIN unnest($2::text[], $3::int[], $4::bigint[]) AS b (topic, partition, next)
        USING (topic, partition)
    WHERE t.consumer = $1 AND greatest(o.next_offset, b.next, 0) < t.target
), EXISTS (SELECT FROM {s}.pending), EXISTS (SELECT FROM {s}.pending WHERE kind = 'whole')
    OR ((SELECT n FROM {s}.revision) = 0 AND NOT EXISTS (SELECT FROM {s}.pending))"""

WHOLE = ("", "whole", "")
"""The mark kept by a replay into an empty read model: recount everything (`recount_all`)."""


class State(NamedTuple):
    replaying: bool
    """The consumer is still replaying once the batch is applied: some partition it replays
    has not reached the end it had when the replay started."""
    kept: bool
    """Seeds are kept, to recount once the replay is over."""
    whole: bool = False
    """The replay started on an empty read model: `keep_whole`, not `keep`."""


async def state(conn: Connection, schema: str, consumer: str, events: Sequence[Delivered]) -> State:
    """Where `consumer` stands once `events` (a batch) are applied, in one round trip."""
    next_offsets: dict[tuple[str, int], int] = {}
    for d in events:
        key = (d.topic, d.partition)
        next_offsets[key] = max(next_offsets.get(key, 0), d.offset + 1)
    row = await conn.fetchrow(
        _STATE.format(s=schema),
        consumer,
        [t for t, _ in next_offsets],
        [p for _, p in next_offsets],
        list(next_offsets.values()),
    )
    assert row is not None  # a SELECT without FROM returns one row
    return State(bool(row[0]), bool(row[1]), bool(row[2]))


async def keep(conn: Connection, schema: str, found: Seeds) -> None:
    """Keep a batch's seeds to recount later (their facts are stored in the same transaction)."""
    rows = [
        *(("participant", p, "") for p in found.participants),
        *(("acted", p, i) for i, p in found.acted),
        *(("case", i, c) for i, c in found.cases),
        *(("revoked", k, "") for k in found.revoked),
    ]
    if rows:
        await conn.execute(
            f"""INSERT INTO {schema}.pending (kind, a, b)
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING""",
            *(list(column) for column in zip(*rows, strict=True)),
        )


async def keep_whole(conn: Connection, schema: str) -> None:
    """Mark the read model for a whole recount once the replay is over (`State.whole`)."""
    await conn.execute(
        f"INSERT INTO {schema}.pending (a, kind, b) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        *WHOLE,
    )


async def settle(conn: Connection, schema: str, logframe: Logframe) -> bool:
    """Recount every kept seed, `CHUNK` at a time (everything, if the whole mark is kept);
    True if anything was kept."""
    if await conn.fetchval(
        f"DELETE FROM {schema}.pending WHERE (a, kind, b) = ($1, $2, $3) RETURNING true", *WHOLE
    ):
        await conn.execute(f"DELETE FROM {schema}.pending")
        await recount_all(conn, schema, logframe)
        return True
    any_kept = False
    while rows := await conn.fetch(
        f"""DELETE FROM {schema}.pending WHERE (a, kind, b) IN (
            SELECT a, kind, b FROM {schema}.pending ORDER BY a, kind, b LIMIT $1)
        RETURNING kind, a, b""",
        CHUNK,
    ):
        any_kept = True
        found = Seeds()
        for kind, a, b in rows:
            if kind == "participant":
                found.participants.add(a)
            elif kind == "acted":
                found.acted.add((b, a))
            elif kind == "case":
                found.cases.add((a, b))
            else:
                found.revoked.add(a)
        await recount(conn, schema, logframe, found)
    return any_kept
