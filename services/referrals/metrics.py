"""Time to answer, per destination type and region: how fast receiving services respond.

The time to answer runs from the request to the unit's first answer (accept or reject; for an
answer recorded on a unit's behalf, the moment the evidence names). Cells with fewer referrals
than `min_cell` show no figures: a handful of referrals to a GBV service in one region could
point at a person.

Callers without exact access (viewers, supervisors: `access.disclosure`) could subtract two
windows a second apart and get a referral back. They get fixed periods only (`fixed_period`:
a calendar month, quarter or year, UTC) and every cell of every destination type and region,
each count through `access.disclosure.published` (0-4 as "<5", others rounded down to base 5),
the hours only where 5 or more referrals stand behind them. The rules live here; the SELECT is
`queries.time_to_answer`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from access.disclosure import published, small_cell
from program.load import current_program

_FIGURES = ("answered", "answered_in_time", "became_overdue", "waiting")
_TIMES = ("mean_hours", "median_hours", "p90_hours")


class UnpublishedPeriod(ValueError):
    """A window that is not a calendar month, quarter or year (for callers without exact access)."""


def fixed_period(
    start: datetime | None, end: datetime | None, now: datetime
) -> tuple[datetime, datetime]:
    """The window asked, if it is a calendar month, quarter or year in UTC; none: `now`'s year.

    `end` is exclusive (the first instant of the next month). Anything else raises
    `UnpublishedPeriod` naming the forms allowed.
    """
    if start is None and end is None:
        return datetime(now.year, 1, 1, tzinfo=UTC), datetime(now.year + 1, 1, 1, tzinfo=UTC)
    if start is not None and end is not None:
        first, last = start.astimezone(UTC), end.astimezone(UTC)
        months = (last.year - first.year) * 12 + last.month - first.month
        whole = _month_start(first) and _month_start(last)
        if whole and (
            months == 1
            or (months == 3 and first.month % 3 == 1)
            or (months == 12 and first.month == 1)
        ):
            return first, last
    raise UnpublishedPeriod(
        "without exact access, figures are published for fixed periods only: a calendar month "
        "(from=2023-01-01&to=2023-02-01), a calendar quarter (from=2023-01-01&to=2023-04-01) or "
        "a calendar year (from=2023-01-01&to=2024-01-01), UTC, 'to' being the first instant "
        "after; none: the current year. Exact figures for any range are for authorised M&E staff"
    )


def _month_start(utc: datetime) -> bool:
    return (utc.day, utc.hour, utc.minute, utc.second, utc.microsecond) == (1, 0, 0, 0, 0)


def time_to_answer(rows: Sequence[Any], min_cell: int, exact: bool = True) -> list[dict[str, Any]]:
    """One cell per row of `queries.time_to_answer` (a destination type and region).

    Not `exact`: every (destination type, region), each count published by the rule.
    """
    if not exact:
        return _published(rows, min_cell)
    cells = []
    for row in rows:
        cell: dict[str, Any] = {"destination": row["destination"], "region": row["region"]}
        hidden = small_cell(row["requested"], min_cell, exact=True)
        if hidden is not None:
            cells.append({**cell, "requested": hidden, "suppressed": True})
            continue
        cell["requested"] = row["requested"]
        cell.update({name: row[name] for name in _FIGURES})
        cell.update(
            {name: None if row[name] is None else round(float(row[name]), 2) for name in _TIMES}
        )
        cells.append({**cell, "suppressed": False})
    return cells


def _published(rows: Sequence[Any], min_cell: int) -> list[dict[str, Any]]:
    # Every pair, an absent one as 0: a missing row would tell 0 from 1-4.
    found = {(row["destination"], row["region"]): row for row in rows}
    cells = []
    program = current_program()
    for destination in (d.code for d in program.referral_destinations):
        for region in (t.code for t in program.recorded()):
            row = found.get((destination, region))
            cell: dict[str, Any] = {"destination": destination, "region": region}
            requested = row["requested"] if row else 0
            hidden = small_cell(requested, min_cell, exact=False)
            if hidden is not None:
                cells.append({**cell, "requested": hidden, "suppressed": True})
            else:
                assert row is not None  # 5 or more referrals: a row
                cell["requested"] = published(requested)
                cell.update({name: published(row[name]) for name in _FIGURES})
                cell.update({name: None if row[name] is None else round(float(row[name]), 2)
                             for name in _TIMES})  # fmt: skip
                cells.append({**cell, "suppressed": False})
    return cells
