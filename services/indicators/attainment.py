"""Attainment of a logframe, computed from the ledger: pure functions, no database.

Counting rule. For one indicator, a subject (a person, merged records being one; or a case)
counts once when every requirement is met by at least one live act. It is *counted at* the
first act, inside the reporting window, at or after the moment all requirements hold: that
act's local date gives the month and the age group, its region the region. Filters restrict
the acts considered (region; acts after the window's end are ignored), so a filtered figure is
"unique subjects with a counting act in that region and window".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from program.load import current_program
from services.indicators.dimensions import Dimension, containing, dimensions_of, values_of
from services.indicators.facts import Act
from services.indicators.indirect import IndirectFigures
from services.indicators.ledger import Ledger
from services.indicators.logframe import Indicator, Logframe, Unit
from services.indicators.people import UNKNOWN, People
from services.indicators.shares import DimensionTable, ShareFigure, share_figures
from services.indicators.targets import Reading, by_sex, target_of, territory_target


def sex_rows() -> list[str]:
    """The tables' sexes: the program's, in file order, then `unknown`."""
    return [*current_program().ordered("sex"), UNKNOWN]


def age_columns() -> list[str]:
    """The tables' age groups: the program's bands, in file order, then `unknown`."""
    return [*current_program().ordered("age_group"), UNKNOWN]


SEXES = sex_rows()
"""The sexes of the program this process started with (`sex_rows` reads the current one)."""
AGE_GROUPS = age_columns()
"""The age groups of the program this process started with (`age_columns`: the current one)."""
TOTAL = "total"

Cell = int | str
"""A count, or in a suppressed view a mark ("<5", "x") standing for a hidden one."""


class FilterError(ValueError):
    """Filters that select nothing meaningful (e.g. a window outside the logframe period)."""


@dataclass(frozen=True)
class Filters:
    """What a reader narrows the figures to; None means no restriction."""

    region: str | None = None
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class Counted:
    """One subject counted by an indicator, with the disaggregation of its counting act."""

    subject: str
    sex: str
    age_group: str
    region: str
    counted_on: date
    dims: tuple[str, ...] = ()
    """Its value in each of the logframe's program dimensions (`dimensions`)."""


@dataclass(frozen=True)
class Month:
    """New subjects counted in a month, and the running total at its end."""

    month: str
    new: Cell
    cumulative: Cell


@dataclass(frozen=True)
class IndicatorFigures:
    """An indicator's value against target, with its disaggregation tables."""

    id: str
    title: str
    unit: str
    target: int | None
    """The target this figure is read against: the region's when filtered by region (None
    when the logframe gives that region none, and then no percent either), the period's when
    the window is a period with its own target (`targets.target_of`)."""
    sensitive: bool
    value: Cell
    percent: float | None
    sex_age: dict[str, dict[str, Cell]]
    regions: dict[str, Cell]
    months: list[Month]
    sex_region: dict[str, dict[str, Cell]] = field(default_factory=dict)
    """Sex rows x region columns, with totals (the report shows it beside sex x age)."""
    by_sex: dict[str, Reading] = field(default_factory=dict)
    """Each sex with a target: its figure against it (`targets.by_sex`)."""
    titles: dict[str, str] = field(default_factory=dict)
    """The title per language (`es`, `en`) where the logframe gives one; else `title`."""

    def title_in(self, language: str) -> str:
        """The title in `language`, else the logframe's `title`."""
        return self.titles.get(language, self.title)

    dimensions: list[DimensionTable] = field(default_factory=list)
    """Sex rows x each program dimension's values (`disaggregations` beyond the built-in)."""
    shares: list[ShareFigure] = field(default_factory=list)
    """The indicator's share targets, checked as shares."""


@dataclass(frozen=True)
class Attainment:
    """The whole logframe's figures for one window and region."""

    logframe: str
    title: str
    start: date
    end: date
    region: str | None
    view: str
    indicators: list[IndicatorFigures]
    rebuilding: Rebuilding | None = None
    """Set while the version is replayed from Kafka: the figures are partial until it is done."""
    indirect: IndirectFigures | None = None
    """The indirect participants' figure (headcounts), when the logframe has one: beside the
    indicators, never one of them (`indirect_store.attach`)."""


@dataclass(frozen=True)
class Rebuilding:
    """How far a replay is: records read of those on the topics when it started."""

    read: int
    of: int
    progress: float


def window(logframe: Logframe, filters: Filters) -> tuple[date, date]:
    """The reporting window: the logframe period narrowed by the filters."""
    start = max(logframe.period.start, filters.start or logframe.period.start)
    end = min(logframe.period.end, filters.end or logframe.period.end)
    if filters.start and filters.end and filters.start > filters.end:
        raise FilterError("'from' is after 'to'")
    if start > end:
        raise FilterError(
            f"the window does not overlap the logframe period "
            f"{logframe.period.start.isoformat()}..{logframe.period.end.isoformat()}"
        )
    return start, end


class Persons(Protocol):
    """Who a participant id is, and a person's sex and age group (`people.People`)."""

    def person(self, participant_id: str) -> str: ...

    def sex(self, person: str) -> str: ...

    def age_group(self, person: str, on: date) -> str: ...

    def attribute(self, person: str, name: str) -> str | None: ...


def counted(logframe: Logframe, ledger: Ledger, filters: Filters) -> dict[str, list[Counted]]:
    """Per indicator id, the subjects counted in the window, sorted by subject."""
    start, end = window(logframe, filters)
    people, zone = People(ledger), logframe.zone
    acts: dict[str, list[Act]] = {}
    for act in ledger.live_acts():
        if considered(act, filters, end, zone):
            acts.setdefault(act.indicator, []).append(act)
    dims = dimensions_of(logframe)
    return {
        i.id: _subjects(i, acts.get(i.id, []), people, start, zone, dims)
        for i in logframe.all_indicators
    }


def considered(act: Act, filters: Filters, end: date, zone: ZoneInfo) -> bool:
    """Whether the filters let an act count (its region, or a territory containing it such as
    its country, and not after the window's end)."""
    region = filters.region
    if region not in (None, act.region) and region not in containing().get(act.region, ()):
        return False
    return _local(act, zone) <= end


def day_start(day: date, zone: ZoneInfo) -> datetime | None:
    """The first instant whose local date is `day`, or None if local midnight is ambiguous.

    Local dates follow instants, so "an act's local date is on or after `day`" is "the act is
    at or after this instant": a comparison instead of a time-zone conversion per act.
    """
    try:
        first = datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)
        before = first - timedelta(microseconds=1)
    except OverflowError:
        return None
    if first.astimezone(zone).date() == day and before.astimezone(zone).date() < day:
        return first
    return None  # a transition at midnight: callers compare local dates instead


def act_order(act: Act) -> tuple[datetime, str, int, str]:
    """The order acts of one subject are weighed in (instant, event id, requirement, key)."""
    return (act.occurred_at, act.event_id, act.requirement, act.act_key)


def _subjects(
    indicator: Indicator,
    acts: list[Act],
    people: Persons,
    start: date,
    zone: ZoneInfo,
    dims: tuple[Dimension, ...] = (),
) -> list[Counted]:
    by_subject: dict[str, list[Act]] = {}
    for act in acts:  # already in (instant, event id) order
        key = people.person(act.participant_id) if indicator.unit is Unit.PEOPLE else act.subject
        by_subject.setdefault(key, []).append(act)
    result = []
    for subject, mine in sorted(by_subject.items()):
        found = count_subject(indicator, subject, mine, people, start, zone, dims=dims)
        if found is not None:
            result.append(found)
    return result


def count_subject(
    indicator: Indicator,
    subject: str,
    mine: list[Act],
    people: Persons,
    start: date,
    zone: ZoneInfo,
    starts_at: datetime | None = None,
    dims: tuple[Dimension, ...] = (),
) -> Counted | None:
    """Whether and how one subject counts, from its live considered acts in `act_order`.

    `starts_at`, when given, is `day_start(start, zone)` (the same test, without conversions).
    """
    first_per_requirement: dict[int, Act] = {}
    for act in mine:
        first_per_requirement.setdefault(act.requirement, act)
    if len(first_per_requirement) < len(indicator.requires):
        return None
    all_met = max(a.order for a in first_per_requirement.values())
    if starts_at is not None:
        at = next((a for a in mine if a.order >= all_met and a.occurred_at >= starts_at), None)
    else:
        at = next((a for a in mine if a.order >= all_met and _local(a, zone) >= start), None)
    if at is None:
        return None
    on, person = _local(at, zone), people.person(at.participant_id)
    values = values_of(dims, people, person, at.region)
    return Counted(subject, people.sex(person), people.age_group(person, on), at.region, on, values)


def figures(
    logframe: Logframe, ledger: Ledger, filters: Filters, view: str = "exact"
) -> Attainment:
    """Exact figures of every indicator (suppression is applied by `suppression.suppress`)."""
    by_indicator = counted(logframe, ledger, filters)
    totals = {i.id: Totals.of(by_indicator[i.id]) for i in logframe.all_indicators}
    return assemble(logframe, filters, totals, view)


def assemble(
    logframe: Logframe, filters: Filters, totals: dict[str, Totals], view: str = "exact"
) -> Attainment:
    """The attainment tables from each indicator's totals."""
    start, end = window(logframe, filters)
    dims = dimensions_of(logframe)
    return Attainment(
        logframe=logframe.key,
        title=logframe.title,
        start=start,
        end=end,
        region=filters.region,
        view=view,
        indicators=[
            _read(logframe, i, totals[i.id], filters, dims) for i in logframe.all_indicators
        ],
    )


def target_for(indicator: Indicator, region: str | None) -> int | None:
    """The national target, or with a region filter the region's own (None when not given):
    a region's figure read against the national target (1 of 2,200) says nothing."""
    if region is None:
        return indicator.target
    return territory_target(indicator, region)


def _read(
    logframe: Logframe,
    indicator: Indicator,
    totals: Totals,
    filters: Filters,
    dims: tuple[Dimension, ...] = (),
) -> IndicatorFigures:
    """One indicator's tables, read against the target of its own view (`targets`)."""
    span = window(logframe, filters)
    target = target_of(logframe, indicator, filters.region, span)
    figures = _figures(indicator, totals, *span, target, dims)
    if not indicator.sex_targets:
        return figures
    sexes = {sex: row[TOTAL] for sex, row in figures.sex_age.items()}
    return replace(figures, by_sex=by_sex(logframe, indicator, filters.region, span, sexes))


@dataclass
class Totals:
    """An indicator's counted subjects summed per cell: what its tables are made of."""

    value: int = 0
    cells: Counter[tuple[str, str]] = field(default_factory=Counter)
    regions: Counter[str] = field(default_factory=Counter)
    months: Counter[str] = field(default_factory=Counter)
    sex_regions: Counter[tuple[str, str]] = field(default_factory=Counter)
    dims: Counter[tuple[int, str, str]] = field(default_factory=Counter)
    """By (dimension's place in the logframe, sex, value)."""

    @classmethod
    def of(cls, subjects: list[Counted]) -> Totals:
        totals = cls()
        for c in subjects:
            totals.add(c, 1)
        return totals

    def add(self, c: Counted, sign: int) -> None:
        """Count a subject in (`sign` 1) or out (-1)."""
        self.value += sign
        self.cells[(c.sex, c.age_group)] += sign
        self.regions[c.region] += sign
        self.sex_regions[(c.sex, c.region)] += sign
        self.months[f"{c.counted_on.year:04d}-{c.counted_on.month:02d}"] += sign
        for place, value in enumerate(c.dims):
            self.dims[(place, c.sex, value)] += sign


def _figures(
    indicator: Indicator,
    totals: Totals,
    start: date,
    end: date,
    target: int | None,
    dims: tuple[Dimension, ...] = (),
) -> IndicatorFigures:
    cells, regions, per_month = totals.cells, totals.regions, totals.months
    territories = [t.code for t in current_program().recorded()]
    months, running = [], 0
    for month in _months(start, end):
        running += per_month[month]
        months.append(Month(month, per_month[month], running))
    sexes, ages = sex_rows(), age_columns()
    sex_age = _with_totals({s: {a: cells[(s, a)] for a in ages} for s in sexes}, ages)
    tables = [_dimension_table(place, d, totals) for place, d in enumerate(dims)]
    return IndicatorFigures(
        id=indicator.id,
        title=indicator.title,
        titles=dict(indicator.titles),
        unit=indicator.unit.value,
        target=target,
        sensitive=indicator.sensitive,
        value=totals.value,
        percent=None if target is None else round(100 * totals.value / target, 1),
        sex_age=sex_age,
        regions={r: regions[r] for r in territories},
        months=months,
        sex_region=_with_totals(
            {s: {r: totals.sex_regions[(s, r)] for r in territories} for s in sexes}, territories
        ),
        dimensions=tables,
        shares=share_figures(indicator.shares, totals.value, sex_age, tables),
    )


def _dimension_table(place: int, dimension: Dimension, totals: Totals) -> DimensionTable:
    values = [*dimension.values, UNKNOWN]
    unknown = {"es": "Sin dato", "en": "Not recorded"}
    return DimensionTable(
        dimension=dimension.code,
        labels=dimension.labels.model_dump(),
        sensitive=dimension.sensitive,
        value_labels={
            v: dimension.value_labels[v].model_dump() if v != UNKNOWN else unknown for v in values
        },
        sex=_with_totals(
            {s: {v: totals.dims[(place, s, v)] for v in values} for s in sex_rows()}, values
        ),
    )


def _with_totals(
    table: dict[str, dict[str, int]], columns: list[str]
) -> dict[str, dict[str, Cell]]:
    """The table with a `total` column per row and a `total` row (as the donor tables show)."""
    out: dict[str, dict[str, Cell]] = {
        row: {**cols, TOTAL: sum(cols.values())} for row, cols in table.items()
    }
    out[TOTAL] = {col: sum(int(out[row][col]) for row in table) for col in [*columns, TOTAL]}
    return out


def _months(start: date, end: date) -> list[str]:
    out, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _local(act: Act, zone: ZoneInfo) -> date:
    return act.occurred_at.astimezone(zone).date()
