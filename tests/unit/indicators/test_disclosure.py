"""An attacker against the published figures of GBV indicators: no count 1-4 comes back.

Each trial draws a random population of assisted survivors (OE1.1, people, several counting
acts in several regions and days) and legal complaints (OE1.3, cases), then reads what a
non-exact audience can read, through the read path's pure functions: the period check
(`periods.check_published`, the API's gate), the figures (`attainment.figures`) in the
suppressed view (`suppression.in_view`), and the CSV and XLSX renderings of them. Every
published window (period, quarters, months) x every region (and national) is read.

The attacker then combines what it read with every strategy below; it "recovers" a count when
a combination of published numbers equals the exact quantity it stands for and that quantity is
between 1 and 4:
- any two published numbers of an indicator, across all queries and tables (one-day or
  overlapping periods, national vs region, month vs quarter vs year, running totals, region
  lists vs region filters, percent of target turned back into a count);
- national minus any set of region-filtered values; a total minus all but one of its cells
  (each sex row, age column, the totals row, the regions, the months);
- the whole period minus all but one quarter or month, a quarter minus all but one month;
- a day range one day shorter than another (refused), and the CSV and XLSX numbers.
`test_the_attacker_recovers_counts_when_figures_are_exact` runs the same attacker on exact
figures for any day range (what non-exact callers got before): it recovers counts there.

Beyond arithmetic: an attacker reasoning with intervals (a total minus its other cells, each
somewhere inside what its shown value allows) pins a small cell only when every term sits at an
edge of its rounding. With the rule rounding down, that takes five published counts at an edge
at once; the two `test_interval_reasoning_*` tests play it line by line (within a table, across
queries) and find none, and `test_linear_attacker.py` plays it with linear programs over every
table and answer together.
"""

from __future__ import annotations

import csv
import functools
import io
import random
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import combinations

import pytest
from openpyxl import load_workbook

from access.disclosure import SMALL, shown_as
from contracts.event import Event
from services.indicators.attainment import (
    SEXES,
    TOTAL,
    Attainment,
    Cell,
    Filters,
    IndicatorFigures,
    figures,
)
from services.indicators.exports import donor_csv, donor_xlsx
from services.indicators.ledger import Ledger
from services.indicators.logframe import load_directory
from services.indicators.periods import UnpublishedPeriod, check_published, published_periods
from services.indicators.suppression import View, in_view, published
from tests.support.peru import REGIONS
from tests.unit.indicators.builders import (
    case_opened,
    ledger_of,
    numbered,
    referral_completed,
    registered,
    service,
    taken_up,
)

Y2 = load_directory()["pana_peru_y2_v1"]
SENSITIVE = [i.id for i in Y2.all_indicators if i.sensitive]
TARGET = {i.id: i.target for i in Y2.all_indicators}
PERIOD_DAYS = (Y2.period.end - Y2.period.start).days
TRIALS = 40


def population(seed: int) -> list[Event]:
    """Survivors assisted once or more, in one region or several, on any day; complaints."""
    rng = random.Random(seed)
    events: list[Event] = []

    def day() -> str:
        return (Y2.period.start + timedelta(days=rng.randint(0, PERIOD_DAYS))).isoformat()

    def region() -> str:  # a busy region, a quiet one, and two in between
        return rng.choices(REGIONS, weights=[8, 3, 2, 1])[0]

    for p in range(rng.randint(3, 45)):
        sex = rng.choice(SEXES[:3])
        born = rng.choice(["2011-02", "2007-06", "1999-04", "1985-09", "1962-11"])
        events.append(registered(p, sex, born))
        events.append(case_opened(p, day="2022-08-20", region=region()))
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            events.append(referral_completed(p, rng.choice(["medical", "legal"]), day(), region()))
        if rng.random() < 0.3:
            events.append(service(p, "psychological_first_aid", day(), region(), case=9000 + p))
        if rng.random() < 0.3:
            events.append(taken_up(p, case=9000 + p, day=day(), region=region()))
    return events


@dataclass(frozen=True)
class Number:
    """One number an audience read, with the exact count it stands for."""

    shown: Cell
    exact: int


Reader = Callable[[Filters], Attainment | None]


def suppressed_reader(ledger: Ledger) -> Reader:
    """What a non-exact audience gets: refused outside the periods, else the suppressed view."""

    def read(filters: Filters) -> Attainment | None:
        try:
            check_published(Y2, filters)
        except UnpublishedPeriod:
            return None
        return in_view(figures(Y2, ledger, filters), View.SUPPRESSED)

    return read


def exact_reader(ledger: Ledger) -> Reader:
    """No disclosure control at all: any day range, exact figures."""
    return lambda filters: figures(Y2, ledger, filters)


def queries(rng: random.Random) -> list[Filters]:
    """Every published window x region, and day ranges an attacker would like to compare."""
    asked = [
        Filters(
            region, None if p.kind == "period" else p.start, None if p.kind == "period" else p.end
        )
        for p in published_periods(Y2)
        for region in [None, *REGIONS]
    ]
    for _ in range(6):  # one day apart: cumulative to a day and to the day before
        cut = Y2.period.start + timedelta(days=rng.randint(1, PERIOD_DAYS))
        for region in [None, *REGIONS]:
            asked += [Filters(region, None, cut), Filters(region, None, cut - timedelta(days=1))]
            asked += [Filters(region, cut, cut)]
    return asked


def read_all(read: Reader, rng: random.Random) -> dict[Filters, Attainment]:
    """Every answer the reader gives to `queries` (a refused query gives nothing)."""
    answers = {f: read(f) for f in queries(rng)}
    return {f: a for f, a in answers.items() if a is not None}


@functools.cache
def trial(seed: int) -> tuple[Ledger, dict[Filters, Attainment]]:
    """One random population and everything a non-exact audience reads of it (kept: the
    tests below look at the same reads from several sides)."""
    ledger = ledger_of(Y2, numbered(*population(seed)))
    return ledger, read_all(suppressed_reader(ledger), random.Random(seed))


def indicator(a: Attainment, which: str) -> IndicatorFigures:
    return next(i for i in a.indicators if i.id == which)


def cells(figures: IndicatorFigures) -> Iterator[Cell]:
    """Every count of one indicator in one answer: value, sex x age, regions, months."""
    yield figures.value
    yield from (n for row in figures.sex_age.values() for n in row.values())
    yield from figures.regions.values()
    yield from (n for m in figures.months for n in (m.new, m.cumulative))


def numbers(shown: IndicatorFigures, exact: IndicatorFigures) -> Iterator[Number]:
    """Every count of one indicator in one answer, and its percent of target as a count."""
    for s, e in zip(cells(shown), cells(exact), strict=True):
        yield Number(s, int(e))
    if shown.percent is not None:  # the count(s) the percent of target can stand for
        assert shown.target is not None  # a percent is always of a target
        around = round(shown.percent * shown.target / 100)
        counts = [n for n in range(max(0, around - shown.target // 500 - 2), around + shown.target
                  // 500 + 3) if round(100 * n / shown.target, 1) == shown.percent]  # fmt: skip
        if len(counts) == 1:  # an attacker learns a count from it only when it names one
            yield Number(counts[0], int(exact.value))


def combined(terms: list[tuple[int, Number]]) -> tuple[int, int] | None:
    """(derived from shown numbers, exact truth) of a signed sum; None if a term is hidden."""
    if any(not isinstance(n.shown, int) for _, n in terms):
        return None
    return sum(s * int(n.shown) for s, n in terms), sum(s * n.exact for s, n in terms)


def recovered(derived_truth: tuple[int, int] | None) -> bool:
    return (
        derived_truth is not None
        and derived_truth[0] == derived_truth[1]
        and (1 <= derived_truth[1] <= 4)
    )


def attack(answers: dict[Filters, Attainment], ledger: Ledger) -> list[str]:
    """Every strategy against what was read; the description of each recovery."""
    found: list[str] = []
    exact = {f: figures(Y2, ledger, f) for f in answers}
    for which in SENSITIVE:
        pairs = {f: (indicator(a, which), indicator(exact[f], which)) for f, a in answers.items()}
        found += _any_two(which, [n for s, e in pairs.values() for n in numbers(s, e)])
        for f, (s, e) in pairs.items():
            found += [f"{which} {f}: {line}" for line in _lines(s, e)]
        found += _regions_and_periods(which, pairs)
        found += _one_day_apart(which, pairs)
    return found


def _one_day_apart(
    which: str, pairs: dict[Filters, tuple[IndicatorFigures, IndicatorFigures]]
) -> Iterator[str]:
    """Up to a day minus up to the day before: the people counted that day (issue 20)."""
    for f, (s, e) in pairs.items():
        if f.start is None and f.end is not None:
            before = pairs.get(Filters(f.region, None, f.end - timedelta(days=1)))
            if before is None:
                continue
            got = combined([(1, Number(s.value, int(e.value))),
                            (-1, Number(before[0].value, int(before[1].value)))])  # fmt: skip
            if recovered(got):
                yield f"{which} one day apart: {f.end} minus the day before in {f.region}"


def _any_two(which: str, pool: list[Number]) -> list[str]:
    # shown_a - shown_b == exact_a - exact_b  <=>  both were published with the same error:
    # group by error, then look for exact values 1..4 apart inside a group.
    by_error: dict[int, set[int]] = defaultdict(set)
    for n in pool:
        if isinstance(n.shown, int):
            by_error[n.shown - n.exact].add(n.exact)
    return [
        f"{which}: two published numbers with equal error {err} differ by {d} ({v + d} - {v})"
        for err, values in by_error.items()
        for v in values
        for d in range(1, 5)
        if v + d in values
    ]


def _lines(s: IndicatorFigures, e: IndicatorFigures) -> Iterator[str]:
    """A total minus all but one of its cells, in every line of every table."""
    rows = list(s.sex_age)
    cols = list(s.sex_age[TOTAL])
    lines = [[(r, c) for c in cols] for r in rows] + [[(r, c) for r in rows] for c in cols]
    for line in lines:  # the last cell of each line is its total
        cells = [Number(s.sex_age[r][c], int(e.sex_age[r][c])) for r, c in line]
        yield from _total_minus_others("sex x age", cells[-1], cells[:-1])
    regions = [Number(s.regions[r], int(e.regions[r])) for r in s.regions]
    yield from _total_minus_others("regions", Number(s.value, int(e.value)), regions)
    months = [Number(m.new, int(x.new)) for m, x in zip(s.months, e.months, strict=True)]
    yield from _total_minus_others("months", Number(s.value, int(e.value)), months)


def _total_minus_others(table: str, total: Number, cells: list[Number]) -> Iterator[str]:
    for i, cell in enumerate(cells):
        others = [(-1, c) for j, c in enumerate(cells) if j != i]
        if cell.exact and recovered(combined([(1, total), *others])):
            yield f"{table}: total minus the other cells gives {cell.exact}"


def _regions_and_periods(
    which: str, pairs: dict[Filters, tuple[IndicatorFigures, IndicatorFigures]]
) -> Iterator[str]:
    """National minus region sets; a period minus all but one of its quarters or months."""

    def value(f: Filters) -> Number | None:
        got = pairs.get(f)
        return Number(got[0].value, int(got[1].value)) if got else None

    spans = {(p.start, p.end): p for p in published_periods(Y2)}
    windows = [(None, None)] + [(p.start, p.end) for p in spans.values() if p.kind != "period"]
    for start, end in windows:
        national = value(Filters(None, start, end))
        regional = [value(Filters(r, start, end)) for r in REGIONS]
        if national is None or any(r is None for r in regional):
            continue
        for k in range(1, len(REGIONS) + 1):
            for chosen in combinations([r for r in regional if r is not None], k):
                terms = [(1, national), *((-1, r) for r in chosen)]
                if recovered(combined(terms)):
                    yield f"{which} national minus {k} region(s) over {start}..{end}"
    for region in [None, *REGIONS]:
        for outer in spans.values():
            parts = [
                p for p in spans.values()
                if p.kind in ("quarter", "month") and p is not outer
                and outer.start <= p.start and p.end <= outer.end
            ]  # fmt: skip
            for kind in ("quarter", "month"):
                inner = [p for p in parts if p.kind == kind]
                if not inner or (outer.start, outer.end) != (inner[0].start, inner[-1].end):
                    continue
                whole = value(_filters(region, outer))
                got = [value(_filters(region, p)) for p in inner]
                if whole is None or any(g is None for g in got):
                    continue
                for left_out in range(len(got)):
                    terms = [(1, whole), *((-1, g) for i, g in enumerate(got)
                                           if i != left_out and g is not None)]  # fmt: skip
                    if recovered(combined(terms)):
                        yield f"{which} {outer.label} minus {kind}s but {inner[left_out].label}"


def _filters(region: str | None, p: object) -> Filters:
    start, end, kind = p.start, p.end, p.kind  # type: ignore[attr-defined]
    return Filters(region, None, None) if kind == "period" else Filters(region, start, end)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(TRIALS))
def test_no_strategy_recovers_a_count_from_one_to_four(seed: int) -> None:
    ledger, answers = trial(seed)
    assert answers, "the published periods are readable"
    assert attack(answers, ledger) == []


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(TRIALS))
def test_every_published_count_is_a_function_of_its_own_exact_value(seed: int) -> None:
    """The rule behind the attacker's failure: 0, "<5" or a multiple of 5, same everywhere."""
    ledger, answers = trial(seed)
    for f, shown in answers.items():
        exact = figures(Y2, ledger, f)
        for which in SENSITIVE:
            s, e = indicator(shown, which), indicator(exact, which)
            for n in numbers(s, e):
                assert n.shown == published(n.exact) or n.shown == _from_percent(n.exact, s)
                assert n.shown == SMALL or int(n.shown) % 5 == 0
            expected = (
                None if s.value == SMALL or s.target is None
                else round(100 * int(s.value) / s.target, 1)
            )  # fmt: skip
            assert s.percent == expected  # from the shown value, never the exact one


def _from_percent(exact: int, s: IndicatorFigures) -> Cell:
    shown = published(exact)
    assert s.target is not None  # a percent is always of a target
    return (
        shown if shown == SMALL else round(round(100 * int(shown) / s.target, 1) * s.target / 100)
    )


def test_any_day_range_but_the_published_periods_is_refused() -> None:
    rng = random.Random(20)
    spans = {(p.start, p.end) for p in published_periods(Y2)}
    for _ in range(2_000):
        start = Y2.period.start + timedelta(days=rng.randint(0, PERIOD_DAYS))
        end = start + timedelta(days=rng.randint(0, PERIOD_DAYS))
        f = Filters(rng.choice([None, *REGIONS]), start, end)
        clipped = (start, min(end, Y2.period.end))
        if clipped in spans:
            check_published(Y2, f)
        else:
            with pytest.raises(UnpublishedPeriod, match="fixed periods only"):
                check_published(Y2, f)
    check_published(Y2, Filters())
    check_published(Y2, Filters("piura", date(2023, 1, 1), date(2023, 3, 31)))
    check_published(Y2, Filters("piura", date(2022, 7, 1), date(2022, 9, 30)))  # = September


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(10))
def test_csv_and_xlsx_carry_the_same_numbers_as_the_json(seed: int) -> None:
    _, answers = trial(seed)
    for f in random.Random(seed).sample(sorted(answers, key=repr), 5):
        a = answers[f]
        rows = list(csv.DictReader(io.StringIO(donor_csv(a))))
        book = load_workbook(io.BytesIO(donor_xlsx(a)))
        summary = {r[0]: r for r in book["Summary"].iter_rows(min_row=4, values_only=True)}
        for which in SENSITIVE:
            s = indicator(a, which)
            mine = [r for r in rows if r["indicator"] == which]
            json_counts = [str(c) for c in cells(s)]
            csv_counts = [r["count"] for r in mine if r["table"] != "percent_of_target"]
            assert set(csv_counts) <= set(json_counts) | {""}
            assert all(c == SMALL or int(c) % 5 == 0 for c in csv_counts)
            assert summary[which][4] == s.value and summary[which][5] == s.percent
            tables = book[which.replace("/", "-")].iter_rows(min_row=4, values_only=True)
            written = [c for row in tables for c in row[1:] if isinstance(c, int)]
            assert all(c % 5 == 0 for c in written)
            assert all(str(c) in json_counts for c in written)


def test_the_attacker_recovers_counts_when_figures_are_exact() -> None:
    """The same attacker on what non-exact callers could read before: any day range, and
    every count of 5 or more (hence every total) exact. Each strategy finds counts 1-4."""
    found: list[str] = []
    for seed in range(2):
        ledger = ledger_of(Y2, numbered(*population(seed)))
        found += attack(read_all(exact_reader(ledger), random.Random(seed)), ledger)
    for strategy in ["one day apart", "national minus", "two published numbers", "sex x age:",
                     "regions:", "months:", "minus months but"]:  # fmt: skip
        assert any(strategy in f for f in found), strategy


def interval(shown: Cell) -> tuple[int, int]:
    """The exact counts a shown count may stand for (the inverse of `published`)."""
    return shown_as(shown)


def _pinned(s: IndicatorFigures, e: IndicatorFigures) -> tuple[int, int]:
    """(small cells, small cells pinned to one value) over every line of every table."""
    rows, cols = list(s.sex_age), list(s.sex_age[TOTAL])
    shown = [[s.sex_age[r][c] for c in cols] for r in rows]
    shown += [[s.sex_age[r][c] for r in rows] for c in cols]
    exact = [[int(e.sex_age[r][c]) for c in cols] for r in rows]
    exact += [[int(e.sex_age[r][c]) for r in rows] for c in cols]
    shown.append([*s.regions.values(), s.value])
    exact.append([*map(int, e.regions.values()), int(e.value)])
    shown.append([*(m.new for m in s.months), s.value])
    exact.append([*(int(m.new) for m in e.months), int(e.value)])
    small = pinned = 0
    for line, truth in zip(shown, exact, strict=True):
        (t_lo, t_hi), parts = interval(line[-1]), [interval(c) for c in line[:-1]]
        for i, n in enumerate(truth[:-1]):
            if not 1 <= n <= 4:
                continue
            others_lo = sum(lo for j, (lo, _) in enumerate(parts) if j != i)
            others_hi = sum(hi for j, (_, hi) in enumerate(parts) if j != i)
            lo, hi = max(parts[i][0], t_lo - others_hi), min(parts[i][1], t_hi - others_lo)
            small, pinned = small + 1, pinned + (lo == hi)
    return small, pinned


@pytest.mark.slow
def test_interval_reasoning_pins_no_small_cell() -> None:
    """None of the sweep's 26,211 small cells (with nearest rounding 1 was; with zeros shown
    exactly, as 0, about 1 in 100: a zero is a bound without error)."""
    small = pinned = 0
    for seed in range(TRIALS):
        ledger, answers = trial(seed)
        for f, a in answers.items():
            exact = figures(Y2, ledger, f)
            for which in SENSITIVE:
                got = _pinned(indicator(a, which), indicator(exact, which))
                small, pinned = small + got[0], pinned + got[1]
    assert small > 10_000
    assert pinned == 0, f"{pinned} of {small} small cells pinned"


@pytest.mark.slow
def test_interval_reasoning_across_queries_pins_no_small_value() -> None:
    """A national value is at most the sum of its regions' values, a period's at most the sum
    of its quarters' or months' (and at least each): none of the sweep's 3,322 small values
    (with nearest rounding 1 was)."""
    spans = published_periods(Y2)
    small = pinned = 0
    for seed in range(TRIALS):
        ledger, answers = trial(seed)
        exact_of = {f: figures(Y2, ledger, f) for f in answers}
        groups = [(_filters(None, p), [_filters(r, p) for r in REGIONS]) for p in spans]
        for outer in spans:
            for kind in ("quarter", "month"):
                inner = [
                    q for q in spans
                    if q.kind == kind and q is not outer
                    and outer.start <= q.start and q.end <= outer.end
                ]  # fmt: skip
                if inner and (inner[0].start, inner[-1].end) == (outer.start, outer.end):
                    groups += [
                        (_filters(r, outer), [_filters(r, q) for q in inner])
                        for r in [None, *REGIONS]
                    ]
        for which in SENSITIVE:
            for whole, parts in groups:
                w_lo, w_hi = interval(indicator(answers[whole], which).value)
                shown = [interval(indicator(answers[f], which).value) for f in parts]
                exact = [int(indicator(exact_of[f], which).value) for f in parts]
                for j, n in enumerate(exact):
                    if not 1 <= n <= 4:
                        continue
                    others_hi = sum(hi for i, (_, hi) in enumerate(shown) if i != j)
                    lo, hi = max(shown[j][0], w_lo - others_hi), min(shown[j][1], w_hi)
                    small, pinned = small + 1, pinned + (lo == hi)
    assert small > 2_000
    assert pinned == 0, f"{pinned} of {small} small values pinned"
