"""An attacker who reasons with linear bounds over what a non-exact audience reads.

It knows the rule (`access.disclosure.published`), so each shown count stands for an interval
of exact counts (`access.disclosure.shown_as`: "<5" for 0-4, n for n..n+4), and it knows
every linear relation that holds between the exact counts behind the published numbers, for
any population:

- **within one answer** (one window, one region or national; every table of one sensitive
  indicator at once): the sex x age cells, the sex x region cells and the months' new counts
  are the unknowns; each sex row of sex x age and of sex x region has the same total; the value
  is the sum of each table; a region's count is its sex x region column; a running total is the
  sum of the months so far; under a region filter every other region's cells are 0;
- **across answers** (every published window x region and national, the value and the months
  table of each): a window's value is at least any shorter window's inside it and at most the
  sum of the windows that tile it (a subject counted in a window is counted in the month of its
  counting act), the national value is at least each region's, a window's new count in its
  first month is that month's value, and its new count in any month is at most that month's.

For each published number whose exact count is between 1 and 4 it asks a linear program
(`scipy.optimize.linprog`) for the least and the greatest exact count consistent with
everything it read (rounded inward: counts are whole). The number is **recovered** when both
bounds meet, and its **presence is disclosed** when the least is 1 or more (then "<5" no longer
hides whether anybody is there).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog  # type: ignore[import-untyped]

from access.disclosure import shown_as
from services.indicators.attainment import AGE_GROUPS, SEXES, TOTAL, Cell, IndicatorFigures
from tests.support.peru import Region

REGIONS = [r.value for r in Region]


def interval(shown: Cell) -> tuple[int, int]:
    """The exact counts a shown count may stand for (the inverse of `published`)."""
    return shown_as(shown)


@dataclass(frozen=True)
class Finding:
    """A small published count and the bounds the attacker derived for it."""

    where: str
    exact: int
    low: int
    high: int

    @property
    def recovered(self) -> bool:
        return self.low == self.high

    @property
    def presence(self) -> bool:
        return self.low >= 1


@dataclass
class System:
    """Unknown exact counts, linear relations between them, and what was read of them."""

    size: int = 0
    equalities: list[tuple[dict[int, float], float]] = field(default_factory=list)
    at_most: list[tuple[dict[int, float], float]] = field(default_factory=list)
    read: list[tuple[str, dict[int, float], Cell, int]] = field(default_factory=list)
    fixed_zero: set[int] = field(default_factory=set)

    def unknown(self) -> int:
        self.size += 1
        return self.size - 1

    def equal(self, left: dict[int, float], right: dict[int, float]) -> None:
        self.equalities.append((_minus(left, right), 0.0))

    def no_more(self, left: dict[int, float], right: dict[int, float]) -> None:
        """left <= right."""
        self.at_most.append((_minus(left, right), 0.0))

    def shown(self, where: str, expr: dict[int, float], cell: Cell, exact: int) -> None:
        self.read.append((where, expr, cell, exact))

    def findings(self) -> list[Finding]:
        """Bounds for every small non-zero count read (each distinct expression once)."""
        n = self.size
        rows_ub, b_ub = [], []
        for expr, bound in self.at_most:
            rows_ub.append(_dense(expr, n))
            b_ub.append(bound)
        for _, expr, cell, _ in self.read:
            lo, hi = interval(cell)
            rows_ub += [_dense(expr, n), -_dense(expr, n)]
            b_ub += [hi, -lo]
        a_eq = np.array([_dense(e, n) for e, _ in self.equalities]) if self.equalities else None
        b_eq = np.array([b for _, b in self.equalities]) if self.equalities else None
        bounds = [(0, 0) if i in self.fixed_zero else (0, None) for i in range(n)]
        a_ub, b = np.array(rows_ub), np.array(b_ub)

        def solve(c: np.ndarray) -> tuple[float, np.ndarray]:
            got = linprog(c, a_ub, b, a_eq, b_eq, bounds, method="highs")
            assert got.status == 0, f"what was read must be consistent ({got.message})"
            return float(got.fun), np.asarray(got.x)

        small: dict[tuple[tuple[int, float], ...], tuple[str, np.ndarray, int]] = {}
        for where, expr, _, exact in self.read:
            if 1 <= exact <= 4:
                small.setdefault(tuple(sorted(expr.items())), (where, _dense(expr, n), exact))
        # One point where many small counts are 0 at once proves each of them may be 0: only the
        # rest need a program of their own (same bounds, far fewer programs).
        open_ = dict(small)
        while open_:
            _, point = solve(np.sum([c for _, c, _ in open_.values()], axis=0))
            zero = [k for k, (_, c, _) in open_.items() if c @ point <= 1e-7]
            if not zero:
                break
            for k in zero:
                del open_[k]
        found = [Finding(w, exact, 0, 4) for k, (w, _, exact) in small.items() if k not in open_]
        for where, c, exact in open_.values():
            lo = math.ceil(solve(c)[0] - 1e-7)
            hi = 4
            if lo >= 1:  # only then can the two bounds meet
                hi = min(4, math.floor(-solve(-c)[0] + 1e-7))
            found.append(Finding(where, exact, lo, hi))
        return found


def _minus(left: dict[int, float], right: dict[int, float]) -> dict[int, float]:
    out = dict(left)
    for i, v in right.items():
        out[i] = out.get(i, 0.0) - v
    return out


def _dense(expr: dict[int, float], n: int) -> np.ndarray:
    row = np.zeros(n)
    for i, v in expr.items():
        row[i] += v
    return row


def _sum(*exprs: dict[int, float]) -> dict[int, float]:
    out: dict[int, float] = {}
    for e in exprs:
        for i, v in e.items():
            out[i] = out.get(i, 0.0) + v
    return out


@dataclass
class Answer:
    """The unknowns behind one answer's tables, registered in a `System`."""

    value: dict[int, float]
    months: list[dict[int, float]]


def within(
    system: System, label: str, region: str | None, shown: IndicatorFigures, exact: IndicatorFigures
) -> Answer:
    """Register one answer's tables (what was read, and the relations between them)."""
    sexes, ages = SEXES, AGE_GROUPS
    x = {(s, a): {system.unknown(): 1.0} for s in sexes for a in ages}
    y = {(s, r): {system.unknown(): 1.0} for s in sexes for r in REGIONS}
    n = [{system.unknown(): 1.0} for _ in shown.months]
    if region is not None:
        system.fixed_zero |= {next(iter(y[(s, r)])) for s in sexes for r in REGIONS if r != region}
    value = _sum(*x.values())
    system.equal(value, _sum(*y.values()))
    system.equal(value, _sum(*n))
    for s in sexes:
        system.equal(_sum(*(x[(s, a)] for a in ages)), _sum(*(y[(s, r)] for r in REGIONS)))
    system.shown(f"{label} value", value, shown.value, int(exact.value))
    for s in [*sexes, TOTAL]:
        for a in [*ages, TOTAL]:
            expr = _sum(*(x[(s2, a2)] for s2 in sexes if s in (s2, TOTAL)
                          for a2 in ages if a in (a2, TOTAL)))  # fmt: skip
            system.shown(f"{label} sex x age {s}/{a}", expr, shown.sex_age[s][a],
                         int(exact.sex_age[s][a]))  # fmt: skip
        for r in [*REGIONS, TOTAL]:
            expr = _sum(*(y[(s2, r2)] for s2 in sexes if s in (s2, TOTAL)
                          for r2 in REGIONS if r in (r2, TOTAL)))  # fmt: skip
            system.shown(f"{label} sex x region {s}/{r}", expr, shown.sex_region[s][r],
                         int(exact.sex_region[s][r]))  # fmt: skip
    for r in REGIONS:
        expr = _sum(*(y[(s, r)] for s in sexes))
        system.shown(f"{label} region {r}", expr, shown.regions[r], int(exact.regions[r]))
    for i, (m, e) in enumerate(zip(shown.months, exact.months, strict=True)):
        system.shown(f"{label} {m.month} new", n[i], m.new, int(e.new))
        system.shown(f"{label} {m.month} running", _sum(*n[: i + 1]), m.cumulative,
                     int(e.cumulative))  # fmt: skip
    return Answer(value, n)


@dataclass(frozen=True)
class Window:
    """A published window: its label, first and last month (`YYYY-MM`), and kind."""

    label: str
    kind: str
    months: tuple[str, ...]


def across(
    system: System,
    windows: Sequence[Window],
    answers: dict[tuple[str, str | None], tuple[IndicatorFigures, IndicatorFigures]],
) -> None:
    """Register every answer's value and months table, and the relations between answers."""
    got: dict[tuple[str, str | None], Answer] = {}
    for (label, region), (shown, exact) in answers.items():
        value = {system.unknown(): 1.0}
        n = [{system.unknown(): 1.0} for _ in shown.months]
        system.equal(value, _sum(*n))
        system.shown(f"{label}/{region} value", value, shown.value, int(exact.value))
        for i, (m, e) in enumerate(zip(shown.months, exact.months, strict=True)):
            system.shown(f"{label}/{region} {m.month} new", n[i], m.new, int(e.new))
            system.shown(f"{label}/{region} {m.month} running", _sum(*n[: i + 1]),
                         m.cumulative, int(e.cumulative))  # fmt: skip
        got[(label, region)] = Answer(value, n)
    month_of = {w.months[0]: w.label for w in windows if w.kind == "month"}
    for w in windows:
        for region in [None, *REGIONS]:
            a = got[(w.label, region)]
            if region is not None:
                system.no_more(a.value, got[(w.label, None)].value)
            for i, name in enumerate(w.months):
                month = got[(month_of[name], region)]
                (system.equal if i == 0 else system.no_more)(a.months[i], month.value)
            for kind in ("quarter", "month"):
                parts = [p for p in windows if p.kind == kind and p is not w
                         and set(p.months) <= set(w.months)]  # fmt: skip
                if parts and sorted(m for p in parts for m in p.months) == sorted(w.months):
                    system.no_more(a.value, _sum(*(got[(p.label, region)].value for p in parts)))
                    for p in parts:
                        system.no_more(got[(p.label, region)].value, a.value)


def pinned(findings: Sequence[Finding]) -> Iterator[Finding]:
    """The findings where "<5" no longer hides anything: presence disclosed or count recovered."""
    return (f for f in findings if f.presence or f.recovered)
