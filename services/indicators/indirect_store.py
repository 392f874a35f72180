"""The indirect figure's table in a logframe version's schema: headcounts of group activities.

One row per activity, sex and age group, written once: an activity is recorded once by the cases
service, so a redelivered or replayed event inserts nothing (`ON CONFLICT DO NOTHING` on the
activity and cell) and arrival order does not matter. The row keeps when its event was recorded
(the envelope's time), so the figures as recorded by a day leave out what came later. Nothing
here touches the unique-people tables.
"""

# Identifiers are schema names made from a logframe key (^[a-z][a-z0-9_]{0,40}$); values are
# bind parameters.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import asyncpg

from contracts.envelope import InvalidMessage, decode
from contracts.group_activities import GroupActivityRecorded
from eventkit.consumer import Delivered
from eventkit.store import Connection
from services.indicators.attainment import Attainment
from services.indicators.dimensions import containing
from services.indicators.indirect import GROUP_ACTIVITY, HeadcountSum, assemble
from services.indicators.logframe import Logframe
from services.indicators.read_model import schema_of


def reads(logframe: Logframe) -> frozenset[str]:
    """The event types the indirect figure reads (none without an `indirect:` block)."""
    return frozenset({GROUP_ACTIVITY}) if logframe.indirect is not None else frozenset()


@dataclass(frozen=True)
class Recorded:
    """A group activity as delivered: the event, its envelope id and when it was recorded."""

    event: GroupActivityRecorded
    event_id: str
    recorded_at: datetime


def recorded(delivered: Delivered) -> Recorded | str:
    """The delivered group activity, or why its data cannot be read (dead-lettered)."""
    try:
        event = decode(delivered.envelope)
    except InvalidMessage as bad:
        return bad.reason
    if not isinstance(event, GroupActivityRecorded):
        return f"not a group activity: {delivered.envelope.type}"
    return Recorded(event, delivered.envelope.id, delivered.envelope.time)


async def record(conn: Connection, logframe: Logframe, activities: Sequence[Recorded]) -> bool:
    """Store the activities' headcounts once each; True if a row was new (the read model's
    revision then moves, so ETags and live streams see the change)."""
    if not activities:
        return False
    s = schema_of(logframe)
    columns: list[list[object]] = [[] for _ in range(9)]
    for done in activities:
        e = done.event
        for cell in e.headcounts:
            row = (str(e.activity_id), cell.sex.value, cell.age_group, e.kind, e.region,
                   e.held_at, cell.count, done.event_id, done.recorded_at)  # fmt: skip
            for column, value in zip(columns, row, strict=True):
                column.append(value)
    status = await conn.execute(
        f"""INSERT INTO {s}.indirect_headcounts SELECT * FROM unnest($1::text[], $2::text[],
            $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::int[], $8::uuid[],
            $9::timestamptz[]) ON CONFLICT DO NOTHING""",
        *columns,
    )
    if int(status.rsplit(" ", 1)[1]) == 0:
        return False
    await conn.execute(f"UPDATE {s}.revision SET n = n + 1, changed_at = now()")
    return True


_SUMS = """SELECT sex, age_group, region, kind,
    to_char(held_at AT TIME ZONE $1, 'YYYY-MM') AS month, sum(people)::bigint AS people,
    count(DISTINCT activity_id) AS activities
FROM {s}.indirect_headcounts
WHERE (held_at AT TIME ZONE $1)::date BETWEEN $2 AND $3 AND kind = ANY($4::text[])
    AND ($5::text[] IS NULL OR region = ANY($5::text[]))
    AND ($6::timestamptz IS NULL OR recorded_at < $6)
GROUP BY GROUPING SETS ((sex, age_group, region, kind, month), ())"""


def _inside(result: Attainment) -> list[str] | None:
    """The recorded territories a region filter covers: itself, or a country's municipalities."""
    if result.region is None:
        return None
    return [code for code, above in containing().items() if result.region in (code, *above)]


async def attach(
    pool: asyncpg.Pool, logframe: Logframe, result: Attainment, before: datetime | None = None
) -> Attainment:
    """`result` with the indirect figure of its window and region (as recorded before `before`
    when given); unchanged when the logframe has no `indirect:` block."""
    block = logframe.indirect
    if block is None:
        return result
    query = _SUMS.format(s=schema_of(logframe))
    args = (logframe.timezone, result.start, result.end, block.counted_kinds(), _inside(result))
    async with pool.acquire() as conn:
        rows = await conn.fetch(query, *args, before)
    sums = [
        HeadcountSum(r["sex"], r["age_group"], r["region"], r["kind"], r["month"], r["people"])
        for r in rows
        if r["sex"] is not None
    ]
    activities = next((r["activities"] for r in rows if r["sex"] is None), 0)
    figures = assemble(block, sums, activities, result.start, result.end)
    return replace(result, indirect=figures)
