"""Time to answer, per destination type and region: how fast receiving services respond.

The time to answer runs from the request to the unit's first answer (accept or reject; for an
answer recorded on a unit's behalf, the moment the evidence names). Cells with fewer referrals
than `min_cell` show no figures: a handful of CEM referrals in one region could point at a
person.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from eventkit.store import Connection

_HOURS = "extract(epoch FROM answered_at - requested_at) / 3600.0"

_QUERY = f"""
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

_FIGURES = ("answered", "answered_in_time", "became_overdue", "waiting")
_TIMES = ("mean_hours", "median_hours", "p90_hours")


async def time_to_answer(
    conn: Connection, start: datetime, end: datetime, min_cell: int
) -> list[dict[str, Any]]:
    """One row per (destination type, region) of referrals requested in [start, end)."""
    rows = await conn.fetch(_QUERY, start, end)
    cells = []
    for row in rows:
        cell: dict[str, Any] = {"destination": row["destination"], "region": row["region"]}
        if row["requested"] < min_cell:
            cells.append({**cell, "requested": f"<{min_cell}", "suppressed": True})
            continue
        cell["requested"] = row["requested"]
        cell.update({name: row[name] for name in _FIGURES})
        cell.update(
            {name: None if row[name] is None else round(float(row[name]), 2) for name in _TIMES}
        )
        cells.append({**cell, "suppressed": False})
    return cells
