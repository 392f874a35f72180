"""The fixed periods of the time-to-answer metrics for callers without exact access."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from services.referrals.metrics import UnpublishedPeriod, fixed_period

NOW = datetime(2023, 5, 17, 14, 30, tzinfo=UTC)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (utc(2023, 5, 1), utc(2023, 6, 1)),  # a month
        (utc(2022, 12, 1), utc(2023, 1, 1)),  # December
        (utc(2023, 4, 1), utc(2023, 7, 1)),  # the second quarter
        (utc(2022, 1, 1), utc(2023, 1, 1)),  # a year
        (datetime(2023, 4, 30, 19, tzinfo=timezone(timedelta(hours=-5))), utc(2023, 6, 1)),
    ],
)
def test_calendar_months_quarters_and_years_are_published(start: datetime, end: datetime) -> None:
    assert fixed_period(start, end, NOW) == (start, end)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (utc(2023, 5, 1), utc(2023, 5, 17)),  # a day range
        (utc(2023, 5, 1), utc(2023, 6, 1, 0, 0, 1)),  # a second more
        (utc(2023, 5, 2), utc(2023, 6, 1)),
        (utc(2023, 5, 1), utc(2023, 7, 1)),  # two months
        (utc(2023, 5, 1), utc(2023, 8, 1)),  # three months, not a quarter
        (utc(2023, 5, 1), utc(2024, 5, 1)),  # twelve months, not a year
        (utc(2023, 5, 1), None),
        (None, utc(2023, 6, 1)),
        (utc(2023, 6, 1), utc(2023, 5, 1)),
    ],
)
def test_any_other_window_is_refused(start: datetime | None, end: datetime | None) -> None:
    with pytest.raises(UnpublishedPeriod, match="fixed periods only"):
        fixed_period(start, end, NOW)


def test_no_window_is_the_current_year() -> None:
    assert fixed_period(None, None, NOW) == (utc(2023, 1, 1), utc(2024, 1, 1))
