"""Small cells: what viewers, donors and the public see of GBV-related (sensitive) indicators.

Suppressing a small cell inside one table is not enough: two reads that differ by one day, or
the national figure minus one region's, give a hidden count back by subtraction. So in the
suppressed view every count of a sensitive indicator (the value, every sex x age and sex x
region cell and total, every region, every month's new and running total) is published from
**its own exact value only**, by the platform's rule (`access.disclosure.published`): 0 to 4
show as "<5", any other count is rounded down to a multiple of 5 (5-9 show 5, 10-14 show 10).
Every number shown is then a multiple of 5, so any sum or difference of shown numbers, across
tables, queries, periods, regions and formats, is a multiple of 5 too: never a count from 1
to 4. A count reads the same wherever it appears (a function of the exact value, not of its
neighbours), and the percent of target is computed from the shown value. Every shown number
stands for five counts (`access.disclosure.shown_as`), so an attacker who bounds a small count
with linear programs over every table, margin and answer recovers it only when five published
counts sit at an edge of their rounding at once (`tests/unit/indicators/test_linear_attacker.py`
finds none). Zero hides among the small counts too: a zero shown exactly would be a bound known
without error. What "<5" does not always hide is whether anybody is there (the indicators'
README, "What it does not hide"). The windows this view answers for are fixed (`periods`).

A dimension can be sensitive too (an attribute marked `sensitive` in the program file, such as
ethnicity): in an indicator that is not, every count of that dimension's tables is published
by the same rule, and a share target on it is read from the published counts.
Exact figures are for authorised M&E staff only.
"""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum

from access import disclosure
from services.indicators.attainment import TOTAL, Attainment, Cell, IndicatorFigures, Month
from services.indicators.logframe import Share
from services.indicators.shares import DimensionTable, ShareFigure, share_figures
from services.indicators.targets import Reading, percent_of


class View(StrEnum):
    """Exact figures (M&E staff) or figures under disclosure control (everyone else)."""

    EXACT = "exact"
    SUPPRESSED = "suppressed"


def in_view(attainment: Attainment, view: View) -> Attainment:
    """The figures as `view` shows them."""
    if view is View.EXACT:
        return replace(attainment, view=view.value)
    shown = [
        suppress(i) if i.sensitive else _sensitive_dimensions(i) for i in attainment.indicators
    ]
    return replace(attainment, view=view.value, indicators=shown)


def published(count: Cell) -> Cell:
    """A sensitive count as the suppressed view shows it (`access.disclosure.published`)."""
    return disclosure.published(int(count))


def suppress(figures: IndicatorFigures) -> IndicatorFigures:
    """One sensitive indicator's figures with every count under the rule of `published`."""
    value = published(figures.value)
    target = figures.target  # None: a region without its own target shows no percent
    percent = (
        None if value == disclosure.SMALL or target is None else round(100 * int(value) / target, 1)
    )
    shown = replace(
        figures,
        value=value,
        percent=percent,
        sex_age={
            r: {c: published(n) for c, n in row.items()} for r, row in figures.sex_age.items()
        },
        regions={r: published(n) for r, n in figures.regions.items()},
        sex_region={
            r: {c: published(n) for c, n in row.items()} for r, row in figures.sex_region.items()
        },
        months=[Month(m.month, published(m.new), published(m.cumulative)) for m in figures.months],
        by_sex={
            sex: Reading(r.target, shown, percent_of(shown, r.target))
            for sex, r in figures.by_sex.items()
            for shown in [published(figures.sex_age[sex][TOTAL])]
        },
    )
    tables = [_published_table(t) for t in figures.dimensions]
    return replace(shown, dimensions=tables, shares=_shares(figures, value, shown.sex_age, tables))


def _sensitive_dimensions(figures: IndicatorFigures) -> IndicatorFigures:
    """An indicator that is not sensitive, with the tables of its sensitive dimensions (and the
    shares read from them) under the rule of `published`."""
    if not any(t.sensitive for t in figures.dimensions):
        return figures
    tables = [_published_table(t) if t.sensitive else t for t in figures.dimensions]
    shares = _shares(figures, figures.value, figures.sex_age, tables)
    return replace(figures, dimensions=tables, shares=shares)


def _published_table(table: DimensionTable) -> DimensionTable:
    return replace(
        table, sex={r: {c: published(n) for c, n in row.items()} for r, row in table.sex.items()}
    )


def _shares(
    figures: IndicatorFigures,
    value: Cell,
    sex_age: dict[str, dict[str, Cell]],
    tables: list[DimensionTable],
) -> list[ShareFigure]:
    targets = [Share(dimension=s.dimension, values=s.values, at_least=s.at_least)
               for s in figures.shares]  # fmt: skip
    return share_figures(targets, value, sex_age, tables)
