"""Life of project: the years of a logframe that spans several, and the periods targets name.

A donor agreement for a phase of two or three years states its years (Year 1: Sep 2019 - Aug
2020...) and reports each year and the whole phase in unique people: someone served in Year 1
and again in Year 2 counts once in each year and once in the phase. The years are written in
the logframe (`years:`), not derived: an inception period may make Year 1 longer than twelve
months. They must follow each other without gap and cover the period exactly.

A period target names its period by the label the read API publishes it under (`periods`): a
year's label (`Y1`), a calendar quarter (`2020-Q1`) or a calendar month (`2020-03`), each
narrowed to the logframe period. Pure; no database.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict, Field, model_validator

WHOLE = "period"
"""The label of the whole logframe period (its target is the indicator's `target`)."""


class ProgramYear(BaseModel):
    """One year of a life-of-project logframe (local dates, both inclusive)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,19}$", description="e.g. Y1.")
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> ProgramYear:
        if self.end < self.start:
            raise ValueError(f"year {self.label}: end is before its start")
        if self.label == WHOLE:
            raise ValueError(f"year label {WHOLE!r} names the whole period")
        return self


def check_years(first: date, last: date, years: Sequence[ProgramYear]) -> None:
    """Raise `ValueError` unless the years follow each other and cover [first, last] exactly."""
    if not years:
        return
    if len(years) < 2:
        raise ValueError("years: a single year is the whole period; give two or more, or none")
    labels = [y.label for y in years]
    if len(set(labels)) != len(labels):
        raise ValueError(f"years: labels repeat: {labels}")
    if years[0].start != first or years[-1].end != last:
        raise ValueError(f"years must cover the period {first}..{last} exactly")
    for before, after in itertools.pairwise(years):
        if after.start != before.end + timedelta(days=1):
            raise ValueError(f"year {after.label} must start the day after {before.label} ends")


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def span_of(
    label: str, first: date, last: date, years: Sequence[ProgramYear]
) -> tuple[date, date] | None:
    """The days a period label stands for, narrowed to [first, last]; None when it names no
    period inside them (or names the whole period)."""
    found: tuple[date, date] | None = None
    year = next((y for y in years if y.label == label), None)
    if year is not None:
        found = (year.start, year.end)
    elif (month := _MONTH.match(label)) and 1 <= int(month[2]) <= 12:
        start = date(int(month[1]), int(month[2]), 1)
        found = (start, month_end(start))
    elif quarter := _QUARTER.match(label):
        start = date(int(quarter[1]), 3 * int(quarter[2]) - 2, 1)
        found = (start, month_end(date(start.year, start.month + 2, 1)))
    if found is None:
        return None
    narrowed = (max(found[0], first), min(found[1], last))
    if narrowed[0] > narrowed[1] or narrowed == (first, last):
        return None
    return narrowed


def kind_of(label: str, years: Sequence[ProgramYear]) -> str:
    """`year`, `quarter` or `month`: what kind of period a (valid) label names."""
    if any(y.label == label for y in years):
        return "year"
    return "quarter" if _QUARTER.match(label) else "month"


def month_end(day: date) -> date:
    """The last day of `day`'s month."""
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - timedelta(days=1)
