"""Targets broken down by period, territory and sex, each read against its own view; the years
of a life-of-project logframe, each and the whole phase in unique people."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from services.indicators.attainment import Filters, figures
from services.indicators.exports import donor_csv
from services.indicators.life_of_project import span_of
from services.indicators.logframe import Logframe, load_directory, load_logframe
from services.indicators.periods import UnpublishedPeriod, by_label, published_periods
from services.indicators.schedule import expected_along, expected_by
from services.indicators.suppression import View, in_view
from services.indicators.targets import Reading, schedule
from tests.unit.indicators.builders import (
    case_opened,
    ledger_of,
    numbered,
    referral_completed,
    registered,
    service,
)

PHASE_DIR = Path(__file__).parents[3] / "services/indicators/logframes/peru_phase_1"
PHASE = load_directory(PHASE_DIR)["pana_peru_2019_2021_v1"]
Y1 = Filters(start=PHASE.years[0].start, end=PHASE.years[0].end)
Y2 = Filters(start=PHASE.years[1].start, end=PHASE.years[1].end)
YEAR_1, YEAR_2 = ((y.start, y.end) for y in PHASE.years)


def history() -> Any:
    """Person 1 (a woman) has PAP in both years, person 2 (a man) in Year 1 only, person 3 (a
    woman) in Year 2 only, in Tumbes."""
    return ledger_of(PHASE, numbered(
        registered(1, "woman", day="2019-10-01"), registered(2, "man", day="2019-10-01"),
        registered(3, "woman", day="2020-10-01"),
        service(1, "psychological_first_aid", day="2020-03-10"),
        service(1, "psychological_first_aid", day="2021-02-10"),
        service(2, "psychological_first_aid", day="2019-11-05"),
        service(3, "psychological_first_aid", day="2021-06-01", region="tumbes"),
    ))  # fmt: skip


def pap(filters: Filters, view: View = View.EXACT) -> Any:
    found = in_view(figures(PHASE, history(), filters), view)
    return next(i for i in found.indicators if i.id == "OE2.7")


def test_each_year_and_the_phase_count_unique_people() -> None:
    assert pap(Y1).value == 2  # persons 1 and 2
    assert pap(Y2).value == 2  # persons 1 and 3
    assert pap(Filters()).value == 3  # person 1 once for the phase


def test_a_year_is_read_against_its_own_target_and_the_phase_against_the_phase_target() -> None:
    assert (pap(Y1).target, pap(Y1).percent) == (1800, 0.1)
    assert pap(Y2).target == 2600
    assert pap(Filters()).target == 4000
    march = Filters(start=PHASE.years[0].start.replace(year=2020, month=3), end=None)
    assert pap(march).target == 4000  # no target of its own: the phase's, as before


def test_a_territory_reads_its_own_target_and_none_for_a_year() -> None:
    direct = figures(PHASE, history(), Filters(region="tumbes")).indicators[0]
    assert (direct.id, direct.value, direct.target) == ("DIRECT", 1, 2500)
    y2 = Filters(region="tumbes", start=Y2.start, end=Y2.end)
    direct_y2 = figures(PHASE, history(), y2).indicators[0]
    assert direct_y2.value == 1 and direct_y2.target is None and direct_y2.percent is None


def test_each_sex_is_read_against_its_target_where_the_phase_target_is() -> None:
    assert pap(Filters()).by_sex == {
        "woman": Reading(2800, 2, 0.1),
        "man": Reading(1200, 1, 0.1),
    }
    assert pap(Y1).by_sex == {}  # Year 1 has its own target; the sex targets are the phase's
    assert pap(Filters(region="tumbes")).by_sex == {}


def test_a_sensitive_indicator_reads_each_sex_from_its_published_row() -> None:
    lf = _with(PHASE, "OE1.1", sex_targets={"woman": 100})
    events = numbered(*(x for p in range(10, 17) for x in (
        registered(p, "woman", day="2019-10-01"),
        case_opened(p, day="2020-01-10"), referral_completed(p, day="2020-01-20"),
    )))  # fmt: skip
    shown = in_view(figures(lf, ledger_of(lf, events), Filters()), View.SUPPRESSED)
    oe11 = next(i for i in shown.indicators if i.id == "OE1.1")
    assert oe11.by_sex == {"woman": Reading(100, 5, 5.0)}  # 7 shown as 5, its percent from 5


def test_the_donor_csv_carries_the_sex_readings() -> None:
    rows = list(csv.reader(io.StringIO(donor_csv(figures(PHASE, history(), Filters())))))
    mine = [r[5:] for r in rows if r[1] == "OE2.7" and r[5] == "sex_target"]
    assert mine[:3] == [
        ["sex_target", "woman", "target", "2800"],
        ["sex_target", "woman", "value", "2"],
        ["sex_target", "woman", "percent", "0.1"],
    ]


def test_years_are_published_periods_named_as_period_targets_name_them() -> None:
    listed = published_periods(PHASE)
    assert [(p.label, p.kind) for p in listed[:3]] == [
        ("period", "period"),
        ("Y1", "year"),
        ("Y2", "year"),
    ]
    first, last = PHASE.period.start, PHASE.period.end
    for p in listed[1:]:
        assert span_of(p.label, first, last, PHASE.years) == (p.start, p.end), p.label
    assert by_label(PHASE, "Y2").start.isoformat() == "2020-09-01"
    with pytest.raises(UnpublishedPeriod, match="a program year"):
        by_label(PHASE, "Y3")


def test_a_logframe_without_years_publishes_what_it_did() -> None:
    y2 = load_directory()["pana_peru_y2_v1"]
    assert [p.kind for p in published_periods(y2)].count("year") == 0
    assert len(published_periods(y2)) == 17


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"years": [{"label": "Y1", "start": "2019-09-01", "end": "2021-08-31"}]}, "single year"),
        (
            {"years": [{"label": "Y1", "start": "2019-09-01", "end": "2020-08-30"},
                       {"label": "Y2", "start": "2020-09-01", "end": "2021-08-31"}]},
            "must start the day after",
        ),
        (
            {"years": [{"label": "Y1", "start": "2019-09-01", "end": "2020-08-31"},
                       {"label": "Y2", "start": "2020-09-01", "end": "2021-07-31"}]},
            "cover the period",
        ),
        ({"indicator": {"period_targets": {"Y3": 5}}}, "name no year"),
        ({"indicator": {"period_targets": {"2022-01": 5}}}, "name no year"),
        ({"indicator": {"period_targets": {"period": 5}}}, "name no year"),
        ({"indicator": {"period_targets": {"2019-Q3": 5, "2019-09": 5}}}, "one period twice"),
        ({"indicator": {"sex_targets": {"female": 5}}}, "sex_targets"),
        ({"indicator": {"territory_targets": {"atlantis": 5}}}, "territory_targets"),
        (
            {"indicator": {"territory_targets": {"piura": 5}, "region_targets": {"piura": 6}}},
            "in both",
        ),
    ],
)  # fmt: skip
def test_a_broken_breakdown_fails_at_load(
    tmp_path: Path, change: dict[str, Any], says: str
) -> None:
    doc = yaml.safe_load((PHASE_DIR / "pana_peru_2019_2021.yaml").read_text())
    doc.update({k: v for k, v in change.items() if k != "indicator"})
    doc["indicators"][-1].update(change.get("indicator", {}))
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(ValueError, match=says):
        load_logframe(path)


def _with(logframe: Logframe, indicator_id: str, **fields: Any) -> Logframe:
    changed = [
        i.model_copy(update=fields) if i.id == indicator_id else i for i in logframe.indicators
    ]
    return logframe.model_copy(update={"indicators": changed})


def test_yearly_targets_shape_the_phase_schedule_scaled_to_the_phase_target() -> None:
    oe27 = next(i for i in PHASE.indicators if i.id == "OE2.7")  # 4,000: Y1 1,800, Y2 2,600
    pieces = schedule(PHASE, oe27)
    whole = (PHASE.period.start, PHASE.period.end)
    assert pieces == [(*YEAR_1, 1800), (*YEAR_2, 2600)]
    end_y1 = expected_along(4000, pieces, whole, whole, YEAR_1[1])
    assert end_y1 == round(4000 * 1800 / 4400, 1)  # not half the phase: Year 1 weighs less
    assert expected_along(4000, pieces, whole, whole, PHASE.period.end) == 4000.0
    assert expected_along(4000, None, whole, whole, YEAR_1[1]) == expected_by(
        4000, whole, whole, YEAR_1[1]
    )
    # A year read against its own target: linear over that year.
    year = YEAR_2
    mid = date(2021, 2, 28)
    assert expected_along(2600, pieces, year, year, mid) == expected_by(2600, year, year, mid)
    assert expected_along(2600, pieces, year, year, date(2020, 8, 1)) == 0.0


def test_targets_that_do_not_cover_the_period_leave_the_schedule_linear() -> None:
    oe27 = next(i for i in PHASE.indicators if i.id == "OE2.7")
    assert schedule(PHASE, oe27.model_copy(update={"period_targets": {"Y1": 1800}})) is None
    quarters = {"2019-Q4": 1, "2020-Q1": 1}
    assert schedule(PHASE, oe27.model_copy(update={"period_targets": quarters})) is None
