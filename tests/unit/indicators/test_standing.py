"""Figures kept up to date change by change equal the figures computed from the whole ledger."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.indicators.attainment import Filters, day_start, figures
from services.indicators.facts import Act, Fact, Merge
from services.indicators.ledger import Ledger
from services.indicators.logframe import load_directory
from services.indicators.standing import Standing
from tests.unit.indicators.builders import ledger_of
from tests.unit.indicators.facts_strategy import EVENT_IDS, INSTANTS, facts
from tests.unit.indicators.test_order_independence import scenario

Y2 = load_directory()["pana_peru_y2_v1"]
FILTERS = [
    Filters(),
    Filters(region="piura"),
    Filters(start=date(2022, 10, 1), end=date(2023, 3, 2)),
    Filters(region="lima_callao", end=date(2022, 10, 31)),
]


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    chunks=st.lists(st.lists(facts(Y2), max_size=12), min_size=1, max_size=6),
    asked_from=st.integers(min_value=0, max_value=3),
)
def test_changes_applied_in_chunks_give_the_figures_of_the_whole_ledger(
    chunks: list[list[Fact]], asked_from: int
) -> None:
    standing, whole = Standing(Y2), Ledger()
    for n, chunk in enumerate(chunks):
        if n == asked_from:  # figures already asked for are then kept up to date
            for f in FILTERS[:2]:
                standing.figures(f)
        standing.apply(chunk)
        whole.record(chunk)
        assert standing.ledger == whole
        for f in FILTERS:
            assert standing.figures(f) == figures(Y2, whole, f)


def test_the_scenario_event_by_event() -> None:
    events = scenario()
    standing = Standing(Y2)
    for f in FILTERS:
        standing.figures(f)
    for n in range(len(events)):
        standing.apply(ledger_of(Y2, events[n : n + 1]).facts())
        whole = ledger_of(Y2, events[: n + 1])
        for f in FILTERS:
            assert standing.figures(f) == figures(Y2, whole, f)


def test_a_merge_that_breaks_a_cycle_recounts_everything() -> None:
    p0, p1, p2 = (f"00000000-0000-4000-8000-00000000000{n}" for n in range(3))
    on = INSTANTS[3]
    acts = [
        Act("DIRECT", 0, f"x:{p}", p, p, on, "piura", f"{n:08x}-0000-4000-8000-000000000000")
        for n, p in enumerate((p0, p1))
    ]
    cycle = [Merge(p0, p1, on, EVENT_IDS[0]), Merge(p1, p0, on, EVENT_IDS[0])]
    standing, whole = Standing(Y2), Ledger()
    standing.figures(Filters())
    chunks: list[list[Fact]] = [[*acts, *cycle], [Merge(p0, p2, on, EVENT_IDS[1])]]
    for chunk in chunks:
        standing.apply(chunk)
        whole.record(chunk)
        assert standing.figures(Filters()) == figures(Y2, whole, Filters())
    assert standing.figures(Filters()).indicators[0].value == 1  # 1 -> 0 -> 2: one person


@pytest.mark.parametrize("zone", ["America/Lima", "America/Santiago", "Asia/Beirut", "UTC"])
def test_day_start_is_the_first_instant_of_the_local_day_or_none(zone: str) -> None:
    tz = ZoneInfo(zone)
    day = date(2022, 1, 1)
    while day < date(2024, 1, 1):
        first = day_start(day, tz)
        if first is not None:
            assert first.astimezone(tz).date() == day
            assert (first - timedelta(microseconds=1)).astimezone(tz).date() < day
        day += timedelta(days=1)
