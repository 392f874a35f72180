"""Which logframe version a reader opens on: the one running today, unless asked."""

from __future__ import annotations

from datetime import date

from services.indicators.catalog import Catalog
from services.indicators.logframe import load_directory

LOGFRAMES = load_directory()
YEAR_2, DEMO = "pana_peru_y2_v1", "pana_peru_demo_v1"


def test_the_default_is_opened_while_its_period_runs() -> None:
    assert Catalog(LOGFRAMES, YEAR_2).current(date(2023, 3, 1)) == YEAR_2


def test_after_the_default_period_the_version_running_today_is_opened() -> None:
    assert Catalog(LOGFRAMES, YEAR_2).current(date(2026, 12, 7)) == DEMO


def test_with_no_version_running_the_default_is_opened() -> None:
    assert Catalog(LOGFRAMES, YEAR_2).current(date(1990, 1, 1)) == YEAR_2
