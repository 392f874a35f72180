"""Small cells of GBV-related indicators: "<5" for 1-4, and nothing recoverable by subtraction."""

from __future__ import annotations

import random

import pytest

from contracts.event import Event
from services.indicators.attainment import (
    AGE_GROUPS,
    REGIONS,
    SEXES,
    Filters,
    IndicatorFigures,
    figures,
)
from services.indicators.logframe import load_directory
from services.indicators.suppression import HIDDEN, SMALL, View, in_view
from tests.unit.indicators.builders import (
    case_opened,
    ledger_of,
    numbered,
    referral_completed,
    registered,
)

Y2 = load_directory()["pana_peru_y2_v1"]


def survivors(seed: int) -> list[Event]:
    """A random population of assisted GBV survivors (OE1.1) over the year."""
    rng = random.Random(seed)
    events: list[Event] = []
    for p in range(rng.randint(5, 40)):
        month = rng.choice(["2022-09", "2022-10", "2023-01", "2023-02", "2023-06"])
        region = rng.choice(REGIONS[:3] if rng.random() < 0.9 else REGIONS)
        sex = rng.choice(SEXES[:3])
        born = rng.choice(["2008-01", "1999-04", "1985-09", "1970-02"])
        events += [registered(p, sex, born), case_opened(p, day=f"{month}-05", region=region),
                   referral_completed(p, day=f"{month}-20", region=region)]  # fmt: skip
    return events


def oe11(events: list[Event], view: View) -> IndicatorFigures:
    result = in_view(figures(Y2, ledger_of(Y2, numbered(*events)), Filters()), view)
    return next(i for i in result.indicators if i.id == "OE1.1")


def hidden(cell: object) -> bool:
    return cell in (SMALL, HIDDEN)


@pytest.mark.parametrize("seed", range(60))
def test_no_hidden_count_can_be_recovered_from_visible_ones(seed: int) -> None:
    events = survivors(seed)
    exact, shown = oe11(events, View.EXACT), oe11(events, View.SUPPRESSED)
    # Primary: every 1-4 is "<5"; a visible count is the exact one.
    for sex in [*SEXES, "total"]:
        for age in [*AGE_GROUPS, "total"]:
            n, s = int(exact.sex_age[sex][age]), shown.sex_age[sex][age]
            assert s == SMALL if 0 < n < 5 else s in (n, HIDDEN)
    # Every line with a visible total hides none or at least two of its counts.
    lines = [list(row.values()) for row in shown.sex_age.values()]
    lines += [[row[age] for row in shown.sex_age.values()] for age in [*AGE_GROUPS, "total"]]
    lines += [list(shown.regions.values()), [m.new for m in shown.months]]
    for line in lines:
        assert sum(hidden(c) for c in line) != 1, line
    # Between two visible running totals (and from the start), never exactly one hidden month.
    since_visible = 0
    for m in shown.months:
        since_visible += hidden(m.new)
        if not hidden(m.cumulative):
            assert since_visible != 1
            since_visible = 0
    assert since_visible != 1  # the value closes the last stretch
    assert shown.value == exact.value  # >= 5 here: the headline figure stays exact


def test_a_total_below_five_hides_every_non_zero_count() -> None:
    shown = oe11(survivors(1)[:9], View.SUPPRESSED)  # three survivors
    assert shown.value == SMALL and shown.percent is None
    assert all(c in (0, SMALL) for row in shown.sex_age.values() for c in row.values())
    assert all(m.new in (0, SMALL) and m.cumulative in (0, SMALL) for m in shown.months)


def test_other_indicators_and_the_exact_view_are_untouched() -> None:
    events = survivors(3)
    exact = figures(Y2, ledger_of(Y2, numbered(*events)), Filters())
    shown = in_view(exact, View.SUPPRESSED)
    assert [i for i in shown.indicators if not i.sensitive] == [
        i for i in exact.indicators if not i.sensitive
    ]
    assert in_view(exact, View.EXACT).indicators == exact.indicators
