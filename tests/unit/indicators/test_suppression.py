"""Small cells of GBV-related indicators: "<5" for 0-4, every other count rounded down to base 5.

Across queries and strategies: `test_disclosure.py` (the attacker)."""

from __future__ import annotations

import random

import pytest

from access.disclosure import SMALL
from contracts.event import Event
from services.indicators.attainment import (
    AGE_GROUPS,
    SEXES,
    Filters,
    IndicatorFigures,
    figures,
)
from services.indicators.logframe import load_directory
from services.indicators.suppression import View, in_view, published
from tests.support.peru import REGIONS
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


@pytest.mark.parametrize(
    ("exact", "shown"),
    [(0, SMALL), (1, SMALL), (4, SMALL), (5, 5), (7, 5), (9, 5), (10, 10), (14, 10), (15, 15),
     (4004, 4000)],
)  # fmt: skip
def test_the_rule_small_counts_hidden_others_rounded_down_to_base_five(
    exact: int, shown: object
) -> None:
    assert published(exact) == shown


@pytest.mark.parametrize("seed", range(60))
def test_every_count_is_shown_by_the_rule_from_its_own_exact_value(seed: int) -> None:
    events = survivors(seed)
    exact, shown = oe11(events, View.EXACT), oe11(events, View.SUPPRESSED)
    for sex in [*SEXES, "total"]:
        for age in [*AGE_GROUPS, "total"]:
            assert shown.sex_age[sex][age] == published(exact.sex_age[sex][age])
    assert shown.regions == {r: published(n) for r, n in exact.regions.items()}
    for m, e in zip(shown.months, exact.months, strict=True):
        assert (m.new, m.cumulative) == (published(e.new), published(e.cumulative))
    assert shown.value == published(exact.value) != SMALL  # >= 5 here
    assert shown.target is not None
    assert shown.percent == round(100 * int(shown.value) / shown.target, 1)  # of the shown value


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
