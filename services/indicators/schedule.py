"""Where an indicator should be by today, whether it is there, and its series by year.

"6.6 % of target" says nothing without knowing how much of the period has passed. The
schedule is linear over the logframe period (the default the donor reads targets by): by a
day, `target x days passed / days in the period`, counting the day itself. A window narrower
than the period (a quarter, a month) expects the share of the target its days carry, up to
today. When period targets cover the whole period (every year of a phase, every quarter), they
shape the schedule instead (`expected_along`): each day carries its period's target spread
over the period's days, so the expected figure grows period by period as the targets do. An
indicator's `milestones` (dates and cumulative values) shape it before period targets do: the
schedule runs linearly from one milestone to the next, and from the last to the target on the
period's last day (`targets.milestone_pieces`). Pure functions, no database.

Status bands: within 10 % of the expected figure either way is *on track*; below, *behind*;
above, *ahead*. A suppressed count shown as "<5" is at most 4: it is *behind* only when even 4
is below the band, otherwise no status is claimed. Before the window starts nothing is expected
(`not_started`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from enum import StrEnum

from services.indicators.attainment import Cell, Month

BAND = 0.10
"""How far from the expected figure still reads as on track (a fraction of it)."""
SMALL_AT_MOST = 4
"""The largest count a suppressed "<5" can stand for."""


class Status(StrEnum):
    """An indicator's standing against where its schedule says it should be by today."""

    AHEAD = "ahead"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    NOT_STARTED = "not_started"


def expected_by(
    target: int | None, period: tuple[date, date], window: tuple[date, date], today: date
) -> float | None:
    """The figure a linear schedule of `target` over `period` expects in `window` by `today`."""
    if target is None:
        return None
    first, last = period
    start, end = window
    if today < start:
        return 0.0
    passed = (min(today, end) - start).days + 1
    return round(target * passed / ((last - first).days + 1), 1)


Piece = tuple[date, date, int]
"""A period of a schedule (first and last day) and its target."""


def expected_along(
    target: int | None,
    pieces: Sequence[Piece] | None,
    span: tuple[date, date],
    window: tuple[date, date],
    today: date,
) -> float | None:
    """The figure the schedule of `pieces` expects in `window` by `today`, for a `target` over
    `span`: `target x weight(window up to today) / weight(span)`, a day weighing its piece's
    target over its piece's days. The period targets give the schedule its shape and `target`
    its size (unique people in a phase are fewer than the years' sum: the phase is expected to
    grow as the years' targets say, scaled to the phase's). No pieces: linear (`expected_by`).
    """
    if target is None or not pieces:
        return expected_by(target, span, window, today)
    start, end = window
    if today < start:
        return 0.0
    whole = _weight(pieces, span)
    return round(target * _weight(pieces, (start, min(today, end))) / whole, 1) if whole else None


def _weight(pieces: Sequence[Piece], days: tuple[date, date]) -> float:
    first, last = days
    total = 0.0
    for start, end, target in pieces:
        overlap = (min(end, last) - max(start, first)).days + 1
        if overlap > 0:
            total += target * overlap / ((end - start).days + 1)
    return total


def status(value: Cell, expected: float | None) -> Status | None:
    """Ahead, on track or behind the expected figure (None when it cannot be said)."""
    if expected is None:
        return None
    if expected == 0:
        return Status.NOT_STARTED if value in (0, "<5") else Status.AHEAD
    low, high = expected * (1 - BAND), expected * (1 + BAND)
    if not isinstance(value, int):  # "<5": a suppressed count of 0 to 4
        return Status.BEHIND if low > SMALL_AT_MOST else None
    if value < low:
        return Status.BEHIND
    if value > high:
        return Status.AHEAD
    return Status.ON_TRACK


def by_year(months: Sequence[Month], shown: Callable[[int], Cell] = int) -> list[dict[str, Cell]]:
    """Exact months summed per calendar year: new in the year and the running total at its end,
    each passed through `shown` (the suppressed view's rule for a sensitive indicator, so every
    year's number is published from its own exact value, as the months' are)."""
    years: dict[str, int] = {}
    running: dict[str, int] = {}
    for m in months:
        year = m.month[:4]
        years[year] = years.get(year, 0) + int(m.new)
        running[year] = int(m.cumulative)
    return [
        {"year": y, "new": shown(new), "cumulative": shown(running[y])} for y, new in years.items()
    ]
