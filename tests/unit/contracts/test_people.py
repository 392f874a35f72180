"""Age groups are computed at the date of each act from the birth month alone."""

from datetime import date

import pytest

from contracts.people import AgeGroup, age_at, age_group_at


@pytest.mark.parametrize(
    ("born", "on", "expected"),
    [
        ("2023-06", date(2023, 6, 1), AgeGroup.EARLY_CHILDHOOD),
        ("2017-07", date(2023, 6, 30), AgeGroup.EARLY_CHILDHOOD),  # 5 years 11 months
        ("2017-07", date(2023, 7, 1), AgeGroup.CHILDHOOD),  # exactly 6
        ("2011-07", date(2023, 6, 30), AgeGroup.CHILDHOOD),
        ("2011-07", date(2023, 7, 1), AgeGroup.ADOLESCENCE),
        ("2005-07", date(2023, 6, 30), AgeGroup.ADOLESCENCE),
        ("2005-07", date(2023, 7, 1), AgeGroup.YOUTH),
        ("1993-07", date(2023, 6, 30), AgeGroup.YOUTH),
        ("1993-07", date(2023, 7, 1), AgeGroup.YOUNG_ADULTS),
        ("1978-07", date(2023, 6, 30), AgeGroup.YOUNG_ADULTS),
        ("1978-07", date(2023, 7, 1), AgeGroup.ADULTS),
        ("1963-07", date(2023, 6, 30), AgeGroup.ADULTS),
        ("1963-07", date(2023, 7, 1), AgeGroup.OLDER_ADULTS),  # exactly 60
        ("1930-01", date(2023, 7, 1), AgeGroup.OLDER_ADULTS),
    ],
)
def test_age_group_at_the_date_of_the_act(born: str, on: date, expected: AgeGroup) -> None:
    assert age_group_at(born, on) is expected


def test_the_birthday_is_the_first_day_of_the_birth_month() -> None:
    assert age_at("2000-03", date(2010, 2, 28)) == 9
    assert age_at("2000-03", date(2010, 3, 1)) == 10


@pytest.mark.parametrize("born", ["2023-13", "2023", "June 2020", "2023-00"])
def test_a_malformed_birth_month_is_refused(born: str) -> None:
    with pytest.raises(ValueError, match=r".+"):
        age_group_at(born, date(2024, 1, 1))


def test_an_act_before_the_birth_month_is_refused() -> None:
    with pytest.raises(ValueError, match="before birth month"):
        age_group_at("2024-02", date(2024, 1, 31))
