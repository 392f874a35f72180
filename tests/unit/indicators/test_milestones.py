"""A target's schedule of milestones: "expected by today" follows it, and a broken one fails at
load."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from services.indicators.api import _shown
from services.indicators.attainment import Filters, figures
from services.indicators.logframe import Logframe, load_logframe
from services.indicators.schedule import Status, expected_along, expected_by
from services.indicators.targets import milestone_pieces, schedule
from tests.unit.indicators.test_targets import PHASE, PHASE_DIR, YEAR_1, history

WHOLE = (PHASE.period.start, PHASE.period.end)  # 2019-09-01 to 2021-08-31
MILESTONES = [{"by": "2019-12-31", "value": 400}, {"by": "2020-12-31", "value": 3000}]


def _oe27(logframe: Logframe = PHASE) -> Any:
    return next(i for i in logframe.indicators if i.id == "OE2.7")  # target 4,000


def _phase_with(**fields: Any) -> Logframe:
    """The phase I logframe with OE2.7 changed, validated again as a file would be."""
    doc = PHASE.model_dump(mode="json", exclude_unset=True)
    for indicator in doc["indicators"]:
        if indicator["id"] == "OE2.7":
            indicator.update(fields)
    return Logframe.model_validate(doc)


def test_the_expected_figure_meets_each_milestone_and_runs_straight_between() -> None:
    lf = _phase_with(milestones=MILESTONES)
    pieces = schedule(lf, _oe27(lf))
    assert pieces == [
        (date(2019, 9, 1), date(2019, 12, 31), 400),
        (date(2020, 1, 1), date(2020, 12, 31), 2600),
        (date(2021, 1, 1), date(2021, 8, 31), 1000),
    ]  # milestones come before the period targets (Y1 1,800, Y2 2,600) in shaping it

    def by(day: date) -> float | None:
        return expected_along(4000, pieces, WHOLE, WHOLE, day)

    assert by(date(2019, 12, 31)) == 400.0
    assert by(date(2020, 12, 31)) == 3000.0
    assert by(PHASE.period.end) == 4000.0
    assert by(date(2019, 8, 31)) == 0.0
    assert by(date(2020, 1, 1)) == round(400 + 2600 / 366, 1)  # 2020 has 366 days
    halfway = date(2020, 7, 1)  # 183 of 2020's 366 days
    assert by(halfway) == round(400 + 2600 * 183 / 366, 1)
    assert by(halfway) != expected_by(4000, WHOLE, WHOLE, halfway)  # not the linear one


def test_a_window_expects_what_the_milestones_put_in_its_days() -> None:
    pieces = milestone_pieces([(date(2019, 12, 31), 400)], 4000, WHOLE)
    assert pieces == [
        (date(2019, 9, 1), date(2019, 12, 31), 400),
        (date(2020, 1, 1), WHOLE[1], 3600),
    ]
    october = (date(2019, 10, 1), date(2019, 10, 31))  # 31 of the first stretch's 122 days
    assert expected_along(4000, pieces, WHOLE, october, date(2020, 3, 1)) == round(
        400 * 31 / 122, 1
    )
    # A year read against its own target takes the milestones' shape, scaled to that target.
    assert expected_along(1800, pieces, YEAR_1, YEAR_1, date(2019, 12, 31)) == round(
        1800 * 400 / (400 + 3600 * 244 / 609), 1
    )


def test_a_last_milestone_before_the_end_runs_on_to_the_target() -> None:
    pieces = milestone_pieces([(date(2020, 8, 31), 3500)], 4000, WHOLE)
    assert expected_along(4000, pieces, WHOLE, WHOLE, date(2020, 8, 31)) == 3500.0
    assert expected_along(4000, pieces, WHOLE, WHOLE, date(2021, 8, 31)) == 4000.0
    assert milestone_pieces([(WHOLE[1], 4000)], 4000, WHOLE) == [(*WHOLE, 4000)]


def test_the_attainment_answer_reads_expected_and_status_from_the_milestones() -> None:
    today = date(2020, 12, 31)
    plain = figures(PHASE, history(), Filters())
    before = next(i for i in _shown(PHASE, plain, plain, "none", today)["indicators"]
                  if i["id"] == "OE2.7")  # fmt: skip
    lf = _phase_with(
        milestones=[{"by": "2019-12-31", "value": 1}, {"by": "2020-12-31", "value": 3}]
    )
    result = figures(lf, history(), Filters())
    shown = next(i for i in _shown(lf, result, result, "none", today)["indicators"]
                 if i["id"] == "OE2.7")  # fmt: skip
    # Three people had PAP in the phase; the schedule expects three by the end of 2020.
    assert shown["value"] == 3
    assert shown["expected"] == 3.0
    assert shown["status"] == Status.ON_TRACK
    # Without milestones the years' targets shape it: 2,426.4 expected by then, far behind.
    assert before["expected"] == expected_along(4000, schedule(PHASE, _oe27()), WHOLE, WHOLE, today)
    assert before["status"] == Status.BEHIND


@pytest.mark.parametrize(
    ("milestones", "says"),
    [
        ([{"by": "2020-06-30", "value": 10}, {"by": "2020-03-31", "value": 20}], "forward in time"),
        ([{"by": "2020-03-31", "value": 20}, {"by": "2020-06-30", "value": 10}], "never decrease"),
        ([{"by": "2020-03-31", "value": 4001}], "above the target"),
        ([{"by": "2021-09-01", "value": 10}], "outside the period"),
        ([{"by": "2019-08-31", "value": 10}], "outside the period"),
        ([{"by": "2021-08-31", "value": 3999}], "last day's milestone is the target"),
        ([{"by": "2020-03-31", "value": -1}], "greater than or equal to 0"),
    ],
)
def test_a_broken_schedule_fails_at_load(
    tmp_path: Path, milestones: list[dict[str, Any]], says: str
) -> None:
    doc = yaml.safe_load((PHASE_DIR / "pana_peru_2019_2021.yaml").read_text())
    oe27 = next(i for i in doc["indicators"] if i["id"] == "OE2.7")
    oe27["milestones"] = milestones
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(ValueError, match=says):
        load_logframe(path)


def test_the_day_after_a_milestone_starts_the_next_stretch() -> None:
    day = date(2020, 5, 17)
    pieces = milestone_pieces([(day, 7)], 10, WHOLE)
    assert pieces[1][0] == day + timedelta(days=1)
