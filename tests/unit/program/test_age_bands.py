"""Age groups are the program file's bands: the age at the act falls in the last band starting at
or below it; Peru's file gives the reports' seven groups exactly as before, another file its own;
a malformed list of bands stops start-up with the file, the place and the problem named."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from contracts.examples import example_data
from contracts.group_activities import GroupActivityRecorded
from contracts.people import age_group_at as reports_seven
from program.ages import age_group_at, band_of, minors, span
from program.load import ProgramError, current_program, load_program
from program.model import DEFAULT_AGE_GROUPS
from services.cases.group_activity_requests import HeadcountCell
from services.referrals.shared_minimum import SharedMinimum
from tests.unit.conftest import THREE_BANDS, program_file


def test_peru_s_bands_give_the_reports_seven_groups_on_every_day() -> None:
    peru = current_program()
    assert [(b.code, b.from_age) for b in peru.age_groups] == [
        (b.code, b.from_age) for b in DEFAULT_AGE_GROUPS
    ]
    compared = 0
    for year in range(1935, 2023, 3):
        for month in (1, 5, 12):
            born = f"{year:04d}-{month:02d}"
            on = date(year, month, 1)
            while on <= date(2024, 1, 1):
                assert age_group_at(peru, born, on) == reports_seven(born, on).value, (born, on)
                on += timedelta(days=97)
                compared += 1
    assert compared > 5000


@pytest.mark.usefixtures("three_bands")
def test_another_program_s_bands_decide_the_age_group() -> None:
    program = current_program()
    assert program.ordered("age_group") == ["children", "adults", "older_people"]
    assert age_group_at(program, "2004-11", date(2022, 10, 5)) == "children"  # 17
    assert age_group_at(program, "2004-10", date(2022, 10, 1)) == "adults"  # 18 that day
    assert age_group_at(program, "2004-10", date(2022, 9, 30)) == "children"
    assert age_group_at(program, "1962-10", date(2022, 10, 1)) == "older_people"  # 60
    assert age_group_at(program, "1962-11", date(2022, 10, 1)) == "adults"  # 59
    assert age_group_at(program, "2022-10", date(2022, 10, 1)) == "children"  # 0
    with pytest.raises(ValueError, match="before birth"):
        age_group_at(program, "2022-10", date(2022, 9, 30))


def test_a_band_runs_to_the_year_before_the_next_one(tmp_path: Path) -> None:
    bands = load_program(program_file(tmp_path, age_groups=THREE_BANDS))
    assert [span(bands.age_groups, b.code) for b in bands.age_groups] == [
        (0, 17), (18, 59), (60, None),
    ]  # fmt: skip
    assert [band_of(bands.age_groups, age) for age in (0, 17, 18, 59, 60, 120)] == [
        "children", "children", "adults", "adults", "older_people", "older_people",
    ]  # fmt: skip
    assert minors(bands.age_groups) == {"children"}
    assert minors(DEFAULT_AGE_GROUPS) == {"early_childhood", "childhood", "adolescence"}


def _bands(*starts: tuple[str, int]) -> list[dict[str, object]]:
    return [{"code": c, "from": f, "labels": {"es": c, "en": c}} for c, f in starts]


def test_any_well_formed_list_of_bands_starts(tmp_path: Path) -> None:
    one = load_program(program_file(tmp_path, age_groups=_bands(("everyone", 0))))
    assert one.ordered("age_group") == ["everyone"]
    five_year = _bands(*((f"from_{n}", n) for n in range(0, 85, 5)))
    assert load_program(program_file(tmp_path, age_groups=five_year)).codes("age_group") == {
        f"from_{n}" for n in range(0, 85, 5)
    }


@pytest.mark.parametrize(
    ("bands", "problem"),
    [
        ([], "age_groups: Value error, the first age group must start from 0 (got none)"),
        (
            _bands(("children", 5), ("adults", 18)),
            "age_groups: Value error, the first age group must start from 0 (got [5])",
        ),
        (
            _bands(("children", 0), ("older", 60), ("adults", 18)),
            "age_groups: Value error, age groups must start at ascending ages; "
            "not after the one before: ['adults (from 18)']",
        ),
        (
            _bands(("children", 0), ("adults", 18), ("also_adults", 18)),
            "age_groups: Value error, age groups must start at ascending ages; "
            "not after the one before: ['also_adults (from 18)']",
        ),
        (
            _bands(("children", 0), ("adults", 18), ("children", 60)),
            "age_groups: Value error, duplicate codes: ['children']",
        ),
        (
            [{"code": "children", "labels": {"es": "x", "en": "x"}}],
            "age_groups[children].from: Field required",
        ),
    ],
)
def test_a_malformed_list_of_bands_stops_start_up_naming_the_problem(
    tmp_path: Path, bands: list[dict[str, object]], problem: str
) -> None:
    path = program_file(tmp_path, age_groups=bands)
    with pytest.raises(ProgramError) as refused:
        load_program(path)
    assert str(refused.value) == f"{path}: {problem}"


@pytest.mark.usefixtures("three_bands")
def test_a_referral_s_shared_minimum_takes_the_program_s_own_bands() -> None:
    assert SharedMinimum(age_group="older_people", sex="woman").filled() == {
        "age_group": "older_people",
        "sex": "woman",
    }
    with pytest.raises(ValidationError) as refused:
        SharedMinimum(age_group="youth")  # one of the reports' seven, not this program's
    (error,) = refused.value.errors()
    assert error["loc"] == ("age_group",)
    assert "unknown age_group code 'youth'" in error["msg"]
    schema = SharedMinimum.model_json_schema()["properties"]["age_group"]
    listed = next(part["enum"] for part in schema["anyOf"] if "enum" in part)
    assert listed == ["adults", "children", "older_people"]


def test_peru_s_shared_minimum_takes_the_seven_as_before() -> None:
    for code in current_program().ordered("age_group"):
        assert SharedMinimum(age_group=code).filled() == {"age_group": code}
    with pytest.raises(ValidationError):
        SharedMinimum(age_group="children")


def test_an_event_s_headcounts_keep_the_reports_order_and_put_other_bands_after() -> None:
    cells = [
        {"sex": "woman", "age_group": "older_people", "count": 1},
        {"sex": "woman", "age_group": "children", "count": 2},
        {"sex": "woman", "age_group": "older_adults", "count": 3},
        {"sex": "woman", "age_group": "early_childhood", "count": 4},
        {"sex": "man", "age_group": "children", "count": 5},
    ]
    data = {**example_data()["group_activity.recorded.v1"], "headcounts": cells}
    event = GroupActivityRecorded.model_validate(data)
    assert [(h.sex, h.age_group) for h in event.headcounts] == [
        ("woman", "early_childhood"), ("woman", "older_adults"), ("woman", "children"),
        ("woman", "older_people"), ("man", "children"),
    ]  # fmt: skip
    again = GroupActivityRecorded.model_validate({**data, "headcounts": cells[::-1]})
    assert again.model_dump_json() == event.model_dump_json()


@pytest.mark.usefixtures("three_bands")
def test_group_headcounts_take_the_program_s_own_bands() -> None:
    cell = HeadcountCell(sex="woman", age_group="older_people", count=3)
    assert cell.age_group == "older_people"
    with pytest.raises(ValidationError) as refused:
        HeadcountCell(sex="woman", age_group="older_adults", count=3)
    (error,) = refused.value.errors()
    assert error["loc"] == ("age_group",)
    assert "unknown age_group code 'older_adults'" in error["msg"]
