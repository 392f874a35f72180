"""Indirect participants: people reached by group activities, counted by headcount.

A fair, a talk, a health campaign or a social-media post is recorded with how many people of
each sex and age group took part, and no person id (`group_activity.recorded`). Those people
cannot be told apart, nor from the registered participants, so the logframe reports them as
their own figure with their own target (`indirect:`): the sum of the headcounts, never unique
people, never added to `DIRECT` or any other count. The tables are plain sums (no person is
behind any one cell), so they need no small-cell suppression.

This module is pure: the logframe block, the figures and how they are assembled from the sums
the database gives (`indirect_store`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator

from program.load import current_program

TOTAL = "total"
GROUP_ACTIVITY = "group_activity.recorded"


def ddl(schema: str) -> str:
    """The headcounts table of a logframe version's schema (`indirect_store` writes and reads
    it); idempotent: a read model created before it gains it empty."""
    return f"""
CREATE TABLE IF NOT EXISTS {schema}.indirect_headcounts (
    activity_id text NOT NULL, sex text NOT NULL, age_group text NOT NULL, kind text NOT NULL,
    region text NOT NULL, held_at timestamptz NOT NULL, people integer NOT NULL,
    event_id uuid NOT NULL, recorded_at timestamptz NOT NULL,
    PRIMARY KEY (activity_id, sex, age_group)
);
"""


class IndirectTarget(BaseModel):
    """The logframe's `indirect:` block: the figure, its target and the kinds that count."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(default="INDIRECT", pattern=r"^[A-Za-z][A-Za-z0-9_.]{0,39}$")
    title: str
    target: int = Field(ge=1)
    kinds: list[str] | None = Field(
        default=None,
        description="The group activity kinds whose headcounts count (none given: every kind).",
    )

    @field_validator("kinds")
    @classmethod
    def _kinds_of_the_program(cls, kinds: list[str] | None) -> list[str] | None:
        if kinds is None:
            return None
        known = current_program().codes("group_activity_kind")
        unknown = [k for k in kinds if k not in known]
        if unknown or not kinds or len(set(kinds)) != len(kinds):
            raise ValueError(
                f"kinds: {unknown or kinds} must be distinct group activity kinds of the "
                f"program's {sorted(known)}"
            )
        return kinds

    def counted_kinds(self) -> list[str]:
        """The kinds that count, in the program's order."""
        program = current_program().ordered("group_activity_kind")
        return [k for k in program if self.kinds is None or k in self.kinds]


@dataclass(frozen=True)
class IndirectMonth:
    """People reached by group activities held in a month, and the running total at its end."""

    month: str
    new: int
    cumulative: int


@dataclass(frozen=True)
class IndirectFigures:
    """The indirect figure against its target, with its tables (sums of headcounts)."""

    id: str
    title: str
    unit: str
    target: int
    kinds: list[str]
    kind_labels: dict[str, dict[str, str]]
    """Each counted kind's labels by language (from the program file), for screens and files."""
    value: int
    percent: float
    activities: int
    sex_age: dict[str, dict[str, int]]
    regions: dict[str, int]
    by_kind: dict[str, int]
    months: list[IndirectMonth]


@dataclass(frozen=True)
class HeadcountSum:
    """One group of the database's sums: people of a sex and age group, where, of what kind,
    in which local month."""

    sex: str
    age_group: str
    region: str
    kind: str
    month: str
    people: int


def assemble(
    block: IndirectTarget,
    sums: Iterable[HeadcountSum],
    activities: int,
    start: date,
    end: date,
) -> IndirectFigures:
    """The figures of the window `start`..`end` from the sums of its headcounts."""
    program = current_program()
    sexes, ages = program.ordered("sex"), program.ordered("age_group")
    territories = program.ordered("territory")
    kinds = block.counted_kinds()
    cells = {s: dict.fromkeys(ages, 0) for s in sexes}
    regions, by_kind = dict.fromkeys(territories, 0), dict.fromkeys(kinds, 0)
    per_month: dict[str, int] = {}
    value = 0
    for row in sums:
        value += row.people
        cells.setdefault(row.sex, dict.fromkeys(ages, 0))
        cells[row.sex][row.age_group] = cells[row.sex].get(row.age_group, 0) + row.people
        regions[row.region] = regions.get(row.region, 0) + row.people
        by_kind[row.kind] = by_kind.get(row.kind, 0) + row.people
        per_month[row.month] = per_month.get(row.month, 0) + row.people
    months, running = [], 0
    for month in _months(start, end):
        running += per_month.get(month, 0)
        months.append(IndirectMonth(month, per_month.get(month, 0), running))
    return IndirectFigures(
        id=block.id,
        title=block.title,
        unit="headcount",
        target=block.target,
        kinds=kinds,
        kind_labels={
            t.code: t.labels.model_dump()
            for t in program.terms("group_activity_kind")
            if t.code in kinds
        },
        value=value,
        percent=round(100 * value / block.target, 1),
        activities=activities,
        sex_age=_with_totals(cells, ages),
        regions=regions,
        by_kind=by_kind,
        months=months,
    )


def _with_totals(table: dict[str, dict[str, int]], columns: list[str]) -> dict[str, dict[str, int]]:
    out = {row: {**cols, TOTAL: sum(cols.values())} for row, cols in table.items()}
    out[TOTAL] = {col: sum(out[row][col] for row in table) for col in [*columns, TOTAL]}
    return out


def _months(start: date, end: date) -> list[str]:
    out, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out
