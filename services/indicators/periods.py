"""The fixed periods figures are published for outside exact (M&E) views.

Two reads whose windows differ by a day give, by subtraction, the people counted that day. So
the suppressed view answers only for a fixed family of windows that never differ by less than a
month: the whole logframe period, each of its program years when it declares them (a
life-of-project logframe, `life_of_project`), each calendar quarter and each calendar month,
each narrowed to the period. Any other `from`/`to` is refused with the list (never snapped: a
snapped answer would label a month's figures with the days asked). Regions are whole already
(an enum).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from services.indicators.attainment import Filters, window
from services.indicators.logframe import Logframe


class UnpublishedPeriod(ValueError):
    """A day range that is not one of the fixed periods published outside the exact view."""


@dataclass(frozen=True)
class Period:
    """One published window: its label (`2022-10`, `2023-Q1`, `period`), first and last day."""

    label: str
    kind: str  # "period", "year", "quarter" or "month"
    start: date
    end: date


def published_periods(logframe: Logframe) -> list[Period]:
    """The whole period, its program years (when declared), then its calendar quarters and
    months, each narrowed to the period.

    A quarter that the period narrows to one month is the month: listed once, as the month.
    """
    first, last = logframe.period.start, logframe.period.end
    periods = [Period("period", "period", first, last)]
    periods += [Period(y.label, "year", y.start, y.end) for y in logframe.years]
    months = []
    day = first.replace(day=1)
    while day <= last:
        end = _month_end(day)
        months.append(Period(f"{day:%Y-%m}", "month", max(day, first), min(end, last)))
        day = end + timedelta(days=1)
    seen = {(p.start, p.end) for p in (*periods, *months)}
    quarters = []
    for m in months:
        q = (m.start.month - 1) // 3
        q_start = date(m.start.year, 3 * q + 1, 1)
        q_end = _month_end(date(m.start.year, 3 * q + 3, 1))
        span = (max(q_start, first), min(q_end, last))
        if span not in seen:
            seen.add(span)
            quarters.append(Period(f"{m.start.year}-Q{q + 1}", "quarter", *span))
    return [*periods, *quarters, *months]


def by_label(logframe: Logframe, label: str) -> Period:
    """The published period with this label; raise `UnpublishedPeriod` naming the labels."""
    found = next((p for p in published_periods(logframe) if p.label == label), None)
    if found is None:
        kinds = {"period": "the whole period", "year": "a program year", "quarter": "a quarter"}
        examples = {p.kind: p.label for p in reversed(published_periods(logframe))}
        listed = ", ".join(f"{kinds.get(k, 'a month')} ({v})" for k, v in examples.items())
        raise UnpublishedPeriod(
            f"no published period {label!r}: {listed}; GET /logframes lists them"
        )
    return found


def check_published(logframe: Logframe, filters: Filters) -> None:
    """Raise `UnpublishedPeriod` (with the periods allowed) unless the window is published.

    The window is compared after narrowing to the logframe period (`attainment.window`), so
    `from`/`to` spelling a month or quarter that sticks out of the period still reads it.
    """
    span = window(logframe, filters)
    if any((p.start, p.end) == span for p in published_periods(logframe)):
        return
    months = [p for p in published_periods(logframe) if p.kind == "month"]
    quarters = [p for p in published_periods(logframe) if p.kind == "quarter"]
    example_q = f" or a calendar quarter (from={quarters[0].start}&to={quarters[0].end})"
    raise UnpublishedPeriod(
        f"outside the exact view, figures are published for fixed periods only: the whole "
        f"period {logframe.period.start}..{logframe.period.end} (no 'from'/'to'), a calendar "
        f"month (e.g. from={months[0].start}&to={months[0].end})"
        f"{example_q if quarters else ''}; "
        f"GET /logframes lists them; exact figures for any day range are for authorised M&E staff"
    )


def _month_end(day: date) -> date:
    """The last day of `day`'s month."""
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - timedelta(days=1)
