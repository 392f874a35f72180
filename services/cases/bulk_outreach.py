"""Thousands of people reached by one activity, appended in one transaction or not at all.

`eventkit.aggregate.execute` appends one stream per call, a few round trips each; for a fair's
attendance list of 5,000 people this module does the same work set-wise: a handful of statements
with arrays (unnest), whatever the list's length. The guarantees are the store's: each
participant's `streams` row is locked (in id order, so two bulk requests cannot deadlock) and
its version moves by one, and the events and their outbox rows are written together.
"""

from __future__ import annotations

import uuid
from dataclasses import replace

import asyncpg
from opentelemetry.propagate import inject

from eventkit.clock import Now
from eventkit.decider import RefusalKind, Refused
from eventkit.ids import new_id
from eventkit.store import Connection
from services.cases.record_reach import RecordReach, check_reach, reached


async def resolve(conn: Connection, participant_ids: list[uuid.UUID]) -> list[uuid.UUID]:
    """The distinct records to reach: merged ids redirect to their survivor; unknown ids refuse."""
    current = {pid: pid for pid in participant_ids}
    for _ in range(10):  # a merge chain longer than this is a data error, not a real person
        rows = await conn.fetch(
            "SELECT participant_id, merged_into FROM participants"
            " WHERE participant_id = ANY($1::uuid[])",
            list(set(current.values())),
        )
        known = {r["participant_id"]: r["merged_into"] for r in rows}
        missing = set(current.values()) - set(known)
        if missing:
            raise Refused(
                "participant_not_found",
                f"{len(missing)} participant_ids are not registered, e.g. {min(map(str, missing))};"
                " nothing was recorded",
                RefusalKind.INVALID,
            )
        if all(into is None for into in known.values()):
            return sorted(set(current.values()))
        current = {pid: known[now] or now for pid, now in current.items()}
    raise Refused(
        "merge_chain_too_long", "a participant's merge chain is too long", RefusalKind.INVALID
    )


async def regions(conn: Connection, participant_ids: list[uuid.UUID]) -> list[str]:
    """The distinct regions of the named records and of the records they redirect to."""
    targets = await resolve(conn, participant_ids)
    found = await conn.fetch(
        "SELECT DISTINCT region FROM participants WHERE participant_id = ANY($1::uuid[])",
        list({*participant_ids, *targets}),
    )
    return sorted(r["region"] for r in found)


_ATTEMPTS = 5


class _MergedMeanwhile(Exception):
    """A listed person was merged between resolving the list and locking the streams."""


async def _lock(
    conn: Connection, participant_ids: list[uuid.UUID]
) -> tuple[list[uuid.UUID], list[asyncpg.Record]]:
    """Resolve the list and lock its streams (in id order); raise `_MergedMeanwhile`."""
    targets = await resolve(conn, participant_ids)
    locked = await conn.fetch(
        "SELECT stream_id, version FROM streams WHERE stream_id = ANY($1::text[])"
        " ORDER BY stream_id FOR UPDATE",
        [str(t) for t in targets],
    )
    if len(locked) != len(targets):
        raise Refused(
            "participant_not_found", "a participant has no event stream", RefusalKind.INVALID
        )
    merged = await conn.fetchval(
        "SELECT count(*) FROM participants WHERE participant_id = ANY($1::uuid[])"
        " AND merged_into IS NOT NULL",
        targets,
    )
    if merged:
        raise _MergedMeanwhile
    return targets, locked


async def record_many(
    conn: Connection, template: RecordReach, participant_ids: list[uuid.UUID], *, clock: Now
) -> list[dict[str, str]]:
    """Append one `message.reached` per person; return participant, reach and event ids."""
    check_reach(template)
    for _ in range(_ATTEMPTS):
        try:
            # A savepoint: when a merge committed while we waited for the locks, rolling back
            # to it releases them, and the list is resolved again (the merged id now leads to
            # its survivor) instead of refusing the whole list.
            async with conn.transaction():
                targets, locked = await _lock(conn, participant_ids)
            break
        except _MergedMeanwhile:
            continue
    else:
        raise Refused(
            "participant_merged",
            "participants kept being merged meanwhile; retry",
            RefusalKind.CONFLICT,
        )
    erased = await conn.fetchval(
        "SELECT min(participant_id::text) FROM participants"
        " WHERE participant_id = ANY($1::uuid[]) AND erased_at IS NOT NULL",
        targets,
    )
    if erased is not None:
        raise Refused(
            "participant_erased",
            f"participant {erased}'s personal data was erased: nothing new is recorded about"
            " them; nothing was recorded",
            RefusalKind.CONFLICT,
        )
    versions = {row["stream_id"]: row["version"] + 1 for row in locked}
    events = [reached(replace(template, reach_id=new_id()), t) for t in targets]
    event_ids = [new_id() for _ in events]
    streams = [str(t) for t in targets]
    await conn.execute(
        "UPDATE streams SET version = version + 1 WHERE stream_id = ANY($1::text[])", streams
    )
    carrier: dict[str, str] = {}
    inject(carrier)
    now = clock()
    await conn.execute(
        """
        WITH ins AS (
            INSERT INTO events (event_id, stream_id, stream_version, event_type, schema_version,
                                data, occurred_at, traceparent)
            SELECT e.id, e.s, e.v, $4, $5, e.d, $6, $7
            FROM unnest($1::uuid[], $2::text[], $3::int[], $8::jsonb[]) AS e(id, s, v, d)
            RETURNING position
        )
        INSERT INTO outbox (position) SELECT position FROM ins ORDER BY position
        """,
        event_ids, streams, [versions[s] for s in streams], events[0].event_type,
        events[0].version, now, carrier.get("traceparent"),
        [e.model_dump(mode="json") for e in events],
    )  # fmt: skip
    await conn.execute(
        "UPDATE participants SET version = version + 1 WHERE participant_id = ANY($1::uuid[])",
        targets,
    )
    return [
        {"participant_id": s, "reach_id": str(e.reach_id), "event_id": str(i)}
        for s, e, i in zip(streams, events, event_ids, strict=True)
    ]
