"""Every read-side SELECT the referrals routes and the overdue worker need (plain rows)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from contracts.vocabulary import Region
from eventkit.store import Connection
from services.referrals.referral import Status

UNIT_VIEW = (
    "referral_id, unit_id, destination, region, assistance_type, reason, urgency, status,"
    " requested_at, respond_by"
)
"""What a receiving unit reads of a referral (no participant or case id)."""

_TEAM = "SELECT r.*, u.name AS unit_name FROM referrals r JOIN receiving_units u USING (unit_id)"

_HOURS = "extract(epoch FROM answered_at - requested_at) / 3600.0"

_TIME_TO_ANSWER = f"""
SELECT destination, region,
       count(*) AS requested,
       count(answered_at) AS answered,
       count(*) FILTER (WHERE answered_at <= respond_by) AS answered_in_time,
       count(*) FILTER (WHERE overdue_at IS NOT NULL) AS became_overdue,
       count(*) FILTER (WHERE status IN ('requested', 'overdue')) AS waiting,
       avg({_HOURS}) AS mean_hours,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY {_HOURS}) AS median_hours,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY {_HOURS}) AS p90_hours
FROM referrals
WHERE requested_at >= $1 AND requested_at < $2
GROUP BY destination, region
ORDER BY destination, region
"""  # noqa: S608 - built from constants only


async def referral_row(conn: Connection, referral_id: uuid.UUID) -> dict[str, Any] | None:
    """The referral's read-model row with its unit's name and account (None: no such one)."""
    row = await conn.fetchrow(
        "SELECT r.*, u.has_system_account, u.name AS unit_name FROM referrals r"
        " JOIN receiving_units u USING (unit_id) WHERE r.referral_id = $1",
        referral_id,
    )
    return None if row is None else dict(row)


async def of_region(conn: Connection, region: Region, status: Status | None) -> list[Any]:
    """A region's referrals, newest first (500 at most)."""
    return list(
        await conn.fetch(
            f"{_TEAM} WHERE r.region = $1 AND ($2::text IS NULL OR r.status = $2)"
            " ORDER BY r.requested_at DESC LIMIT 500",
            region,
            status,
        )
    )


async def overdue_of_region(conn: Connection, region: Region) -> list[Any]:
    """A region's overdue referrals, the longest overdue first (500 at most)."""
    return list(
        await conn.fetch(
            f"{_TEAM} WHERE r.region = $1 AND r.status = 'overdue' ORDER BY r.respond_by LIMIT 500",
            region,
        )
    )


async def addressed(conn: Connection, unit_id: uuid.UUID, referral_id: uuid.UUID) -> bool:
    """Whether the referral is addressed to the unit."""
    found = await conn.fetchval(
        "SELECT 1 FROM referrals WHERE referral_id = $1 AND unit_id = $2", referral_id, unit_id
    )
    return found is not None


async def inbox(conn: Connection, unit_id: uuid.UUID, status: Status | None) -> list[Any]:
    """The referrals addressed to a unit, newest first (500 at most)."""
    return list(
        await conn.fetch(
            f"SELECT {UNIT_VIEW} FROM referrals WHERE unit_id = $1"  # noqa: S608
            " AND ($2::text IS NULL OR status = $2) ORDER BY requested_at DESC LIMIT 500",
            unit_id,
            status,
        )
    )


async def at_unit(
    conn: Connection, unit_id: uuid.UUID, referral_id: uuid.UUID
) -> dict[str, Any] | None:
    """A referral as its unit reads it (None: not addressed to that unit)."""
    row = await conn.fetchrow(
        f"SELECT {UNIT_VIEW} FROM referrals WHERE referral_id = $1 AND unit_id = $2",  # noqa: S608
        referral_id,
        unit_id,
    )
    return None if row is None else dict(row)


async def due(conn: Connection, now: datetime) -> list[uuid.UUID]:
    """Waiting referrals whose deadline has passed by `now`, the earliest first (500 a round)."""
    rows = await conn.fetch(
        "SELECT referral_id FROM referrals WHERE status = 'requested' AND respond_by <= $1"
        " ORDER BY respond_by LIMIT 500",
        now,
    )
    return [row["referral_id"] for row in rows]


async def time_to_answer(conn: Connection, start: datetime, end: datetime) -> list[Any]:
    """Per (destination type, region) of referrals requested in [start, end): the counts and
    hours `metrics.py` publishes."""
    return list(await conn.fetch(_TIME_TO_ANSWER, start, end))
