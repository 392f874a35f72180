"""Which target a figure is read against: the one of its own view.

An indicator has one target for the whole period and, optionally, targets broken down by
territory (`region_targets`, `territory_targets`), by sex (`sex_targets`) and by period
(`period_targets`: a program year, a quarter, a month, by the label the read API publishes it
under). A figure is read against the target of exactly the view it counts, never against a
wider one: 12 people of one territory against the national 2,200 say nothing, nor do Year 1's people
against the phase's. So:

- a view whose window is a period with its own target reads that target (national views only:
  a territory's figure for a year has no target unless one is given for both, and none can be);
- otherwise a view filtered by a territory reads that territory's target (none: no percent);
- otherwise the indicator's `target`.

Sex targets are read where the national target is: each sex's figure is its row of the sex x
age table (a person's sex is one, so the row is exactly the view filtered by that sex).
Pure; no database.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from services.indicators.life_of_project import kind_of, span_of
from services.indicators.logframe import Indicator, Logframe

Span = tuple[date, date]
Piece = tuple[date, date, int]
"""A stretch of a schedule (first and last day) and the target it carries."""


@dataclass(frozen=True)
class Reading:
    """A figure read against its own target (a sex's row against that sex's target)."""

    target: int
    value: int | str
    percent: float | None


def period_target(logframe: Logframe, indicator: Indicator, span: Span) -> int | None:
    """The target given for exactly the window `span`, if any."""
    first, last = logframe.period.start, logframe.period.end
    for label, target in indicator.period_targets.items():
        if span_of(label, first, last, logframe.years) == span:
            return target
    return None


def territory_target(indicator: Indicator, territory: str) -> int | None:
    """A territory's own target (`region_targets` or `territory_targets`), if any."""
    return indicator.region_targets.get(territory) or indicator.territory_targets.get(territory)


def target_of(
    logframe: Logframe, indicator: Indicator, region: str | None, span: Span
) -> int | None:
    """The target a view (territory filter or none, window `span`) is read against."""
    if indicator.period_targets and period_target(logframe, indicator, span) is not None:
        return period_target(logframe, indicator, span) if region is None else None
    if region is None:
        return indicator.target
    return territory_target(indicator, region)


def schedule(logframe: Logframe, indicator: Indicator) -> list[Piece] | None:
    """What shapes the indicator's schedule: its milestones when it has some
    (`milestone_pieces`), else the period targets of the finest kind (months, then
    quarters, then years) that cover the whole period without gap or overlap, in order; None
    when no kind does (the schedule is then linear)."""
    first, last = logframe.period.start, logframe.period.end
    if indicator.milestones:
        points = [(m.by, m.value) for m in indicator.milestones]
        return milestone_pieces(points, indicator.target, (first, last))
    for kind in ("month", "quarter", "year"):
        pieces = sorted(
            (*span, target)
            for label, target in indicator.period_targets.items()
            if kind_of(label, logframe.years) == kind
            for span in [span_of(label, first, last, logframe.years)]
            if span is not None
        )
        if (
            pieces
            and pieces[0][0] == first
            and pieces[-1][1] == last
            and all(
                (after[0] - before[1]).days == 1 for before, after in itertools.pairwise(pieces)
            )
        ):
            return pieces
    return None


def milestone_pieces(
    milestones: Sequence[tuple[date, int]], target: int, period: tuple[date, date]
) -> list[Piece]:
    """The schedule of cumulative `milestones` (day, value: in order, inside `period`) as
    pieces: each stretch from the day after one milestone to the next carries the value added
    in it, the last stretch to the period's end what remains of `target`. So the weight of the
    days up to a milestone is its value, and `expected_along` draws straight lines between."""
    first, last = period
    pieces: list[Piece] = []
    start, reached = first, 0
    for day, value in milestones:
        pieces.append((start, day, value - reached))
        start, reached = day + timedelta(days=1), value
    if start <= last:
        pieces.append((start, last, target - reached))
    return pieces


def target_span(logframe: Logframe, indicator: Indicator, region: str | None, span: Span) -> Span:
    """The days the view's target is for: the window when it is read against the window's
    own target, else the whole period (a narrower window expects its share of it)."""
    if region is None and period_target(logframe, indicator, span) is not None:
        return span
    return logframe.period.start, logframe.period.end


def by_sex(
    logframe: Logframe,
    indicator: Indicator,
    region: str | None,
    span: Span,
    sex_totals: dict[str, int | str],
) -> dict[str, Reading]:
    """Each sex with a target, its figure (its total as shown) and percent; empty unless the
    view is read against the national target."""
    if region is not None or period_target(logframe, indicator, span) is not None:
        return {}
    return {
        sex: Reading(target, sex_totals.get(sex, 0), percent_of(sex_totals.get(sex, 0), target))
        for sex, target in indicator.sex_targets.items()
    }


def percent_of(value: int | str, target: int | None) -> float | None:
    """Percent of target from the figure as shown: none for a mark ("<5") or no target."""
    if target is None or not isinstance(value, int):
        return None
    return round(100 * value / target, 1)
