"""Where an indicator should be by today (linear schedule) and the status bands around it."""

from __future__ import annotations

from datetime import date

import pytest

from services.indicators.attainment import Month
from services.indicators.schedule import Status, by_year, expected_by, status
from services.indicators.suppression import published

YEAR = (date(2022, 9, 1), date(2023, 8, 31))  # 365 days


def test_a_linear_schedule_expects_the_share_of_days_passed_counting_today() -> None:
    assert expected_by(365, YEAR, YEAR, date(2022, 9, 1)) == 1.0
    assert expected_by(365, YEAR, YEAR, date(2022, 9, 30)) == 30.0
    assert expected_by(26_500, YEAR, YEAR, date(2023, 2, 28)) == round(26_500 * 181 / 365, 1)
    assert expected_by(365, YEAR, YEAR, date(2023, 8, 31)) == 365.0


def test_nothing_is_expected_before_the_window_and_the_target_after_it() -> None:
    assert expected_by(365, YEAR, YEAR, date(2022, 8, 31)) == 0.0
    assert expected_by(365, YEAR, YEAR, date(2026, 12, 7)) == 365.0
    assert expected_by(None, YEAR, YEAR, date(2023, 1, 1)) is None


def test_a_narrower_window_expects_the_share_its_days_carry() -> None:
    october = (date(2022, 10, 1), date(2022, 10, 31))
    assert expected_by(365, YEAR, october, date(2022, 10, 10)) == 10.0
    assert expected_by(365, YEAR, october, date(2023, 5, 1)) == 31.0


def test_a_ten_year_phase_is_linear_over_all_its_days() -> None:
    phase = (date(2020, 1, 1), date(2029, 12, 31))
    days = (phase[1] - phase[0]).days + 1
    assert expected_by(days, phase, phase, date(2024, 12, 31)) == float(
        (date(2024, 12, 31) - phase[0]).days + 1
    )


@pytest.mark.parametrize(
    ("value", "expected", "says"),
    [
        (100, 100.0, Status.ON_TRACK),
        (90, 100.0, Status.ON_TRACK),  # the band's edges are on track
        (110, 100.0, Status.ON_TRACK),
        (89, 100.0, Status.BEHIND),
        (111, 100.0, Status.AHEAD),
        (0, 0.0, Status.NOT_STARTED),
        ("<5", 0.0, Status.NOT_STARTED),
        (3, 0.0, Status.AHEAD),
        ("<5", 100.0, Status.BEHIND),  # even 4 is far below
        ("<5", 4.0, None),  # 0 to 4 could be on track: no claim
        (7, None, None),  # no target (a region without its own)
    ],
)
def test_status_bands(value: int | str, expected: float | None, says: Status | None) -> None:
    assert status(value, expected) is says


def test_years_are_summed_from_exact_months_and_published_each_from_its_own_count() -> None:
    months = [Month("2022-11", 3, 3), Month("2022-12", 4, 7), Month("2023-01", 6, 13)]
    assert by_year(months) == [
        {"year": "2022", "new": 7, "cumulative": 7},
        {"year": "2023", "new": 6, "cumulative": 13},
    ]
    assert by_year(months, published) == [
        {"year": "2022", "new": 5, "cumulative": 5},  # not "<5" + "<5"
        {"year": "2023", "new": 5, "cumulative": 10},  # 13 rounded down
    ]
