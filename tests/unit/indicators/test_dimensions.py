"""Disaggregation by the program's dimensions (attributes, population type, admin levels),
sensitive dimensions under the small-cell rule, and share targets checked as shares."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import load_workbook

from contracts.participants import ParticipantRegistered
from services.indicators.attainment import Filters, figures
from services.indicators.exports import donor_csv, donor_xlsx
from services.indicators.logframe import Logframe, load_directory, load_logframe
from services.indicators.suppression import View, in_view
from tests.unit.indicators.builders import STAFF, _make, at, corrected, ledger_of, numbered, pid
from tests.unit.indicators.builders import service as delivered

WB_LOGFRAMES = Path("services/indicators/logframes/western_balkans")
LOGFRAME = """
key: wb_test
program: t
title: t
period: {start: 2024-01-01, end: 2024-12-31}
timezone: Europe/Belgrade
disaggregations: [sex_age, region, month, country, ethnicity, population_type]
overall:
  id: DIRECT
  title: direct
  target: 20
  shares:
    - {dimension: ethnicity, values: [roma], at_least: 85}
    - {dimension: sex, values: [woman], at_least: 60}
  requires:
    - name: served
      any_of: [{event: service.delivered}]
indicators:
  - id: GBV
    title: gbv
    target: 10
    sensitive: true
    requires:
      - name: gbv
        any_of: [{event: service.delivered, where: {service_type: [gbv_legal_counselling]}}]
"""


def logframe(tmp_path: Path, text: str = LOGFRAME) -> Logframe:
    (tmp_path / "wb.yaml").write_text(text)
    return load_logframe(tmp_path / "wb.yaml")


def registered(p: int, ethnicity: str | None, sex: str = "woman", **more: Any) -> Any:
    attributes = {} if ethnicity is None else {"ethnicity": ethnicity}
    return _make(
        ParticipantRegistered,
        participant_id=pid(p), sex=sex, birth_year_month="1990-05", nationality="SRB",
        region="rs_nis", attributes=attributes, registered_by=STAFF,
        registered_at=at("2024-01-02", 9), **more,
    )  # fmt: skip


def service(p: int, region: str, kind: str = "srmh_counselling") -> Any:
    return delivered(p, kind, day="2024-02-10", region=region)


def table(figure: Any, dimension: str) -> dict[str, dict[str, Any]]:
    return next(t.sex for t in figure.dimensions if t.dimension == dimension)


def people(tmp_path: Path) -> tuple[Logframe, Any]:
    lf = logframe(tmp_path)
    events = numbered(
        # Six Roma women, one Egyptian man, one woman with no ethnicity recorded.
        *(registered(p, "roma", population_type="host_community") for p in range(1, 7)),
        registered(7, "egyptian", sex="man"),
        registered(8, None),
        *(service(p, "rs_nis") for p in range(1, 4)),
        *(service(p, "me_podgorica") for p in (4, 5, 7)),
        service(6, "ba_tuzla", "gbv_legal_counselling"),
        service(8, "ba_tuzla"),
    )
    return lf, ledger_of(lf, events)


@pytest.mark.usefixtures("balkans")
def test_tables_by_attribute_population_type_and_a_coarser_admin_level(tmp_path: Path) -> None:
    lf, ledger = people(tmp_path)
    direct = figures(lf, ledger, Filters()).indicators[0]

    assert direct.value == 8
    assert table(direct, "country") == {
        "woman": {"BIH": 2, "SRB": 3, "MNE": 2, "unknown": 0, "total": 7},
        "man": {"BIH": 0, "SRB": 0, "MNE": 1, "unknown": 0, "total": 1},
        "unknown": {"BIH": 0, "SRB": 0, "MNE": 0, "unknown": 0, "total": 0},
        "total": {"BIH": 2, "SRB": 3, "MNE": 3, "unknown": 0, "total": 8},
    }
    ethnicity = table(direct, "ethnicity")
    assert ethnicity["woman"] == {
        "roma": 6, "egyptian": 0, "ashkali": 0, "other": 0, "not_declared": 0, "unknown": 1,
        "total": 7,
    }  # fmt: skip
    assert ethnicity["man"]["egyptian"] == 1
    assert table(direct, "population_type")["total"]["host_community"] == 6
    assert table(direct, "population_type")["total"]["unknown"] == 2
    labels = next(t for t in direct.dimensions if t.dimension == "ethnicity")
    assert labels.sensitive and labels.value_labels["roma"] == {"es": "Romaní", "en": "Roma"}


@pytest.mark.usefixtures("balkans")
def test_shares_are_checked_as_shares(tmp_path: Path) -> None:
    lf, ledger = people(tmp_path)
    roma, women = figures(lf, ledger, Filters()).indicators[0].shares

    assert (roma.count, roma.percent, roma.met) == (6, 75.0, False)  # 6 of 8, under 85
    assert (women.count, women.percent, women.met) == (7, 87.5, True)


@pytest.mark.usefixtures("balkans")
def test_a_correction_moves_a_person_to_another_value(tmp_path: Path) -> None:
    lf, _ = people(tmp_path)
    events = numbered(
        registered(7, "egyptian", sex="man"),
        service(7, "me_podgorica"),
        corrected(7, day="2024-03-01", attributes={"ethnicity": "roma"}),
    )
    direct = figures(lf, ledger_of(lf, events), Filters()).indicators[0]

    assert table(direct, "ethnicity")["man"]["roma"] == 1
    assert table(direct, "ethnicity")["man"]["egyptian"] == 0


@pytest.mark.usefixtures("balkans")
def test_a_sensitive_dimension_is_published_under_the_small_cell_rule(tmp_path: Path) -> None:
    lf, ledger = people(tmp_path)
    exact = figures(lf, ledger, Filters())
    shown = in_view(exact, View.SUPPRESSED)
    direct, gbv = shown.indicators

    assert direct.value == 8  # the indicator is not sensitive
    assert table(direct, "country") == table(exact.indicators[0], "country")
    assert table(direct, "ethnicity")["woman"] == {
        "roma": 5, "egyptian": "<5", "ashkali": "<5", "other": "<5", "not_declared": "<5",
        "unknown": "<5", "total": 5,
    }  # fmt: skip
    roma = direct.shares[0]
    assert (roma.count, roma.percent) == (5, 62.5)  # from the published count
    assert gbv.value == "<5"
    assert table(gbv, "country")["total"]["BIH"] == "<5"  # every table of a sensitive indicator


@pytest.mark.usefixtures("balkans")
def test_a_dimension_or_share_the_program_does_not_have_fails_at_load(tmp_path: Path) -> None:
    doc = yaml.safe_load(LOGFRAME)
    doc["disaggregations"] = ["sex_age", "ethnicty"]
    with pytest.raises(ValueError, match=r"disaggregations \['ethnicty'\]"):
        logframe(tmp_path, yaml.safe_dump(doc))
    doc = yaml.safe_load(LOGFRAME)
    doc["disaggregations"] = ["sex_age", "country"]
    with pytest.raises(ValueError, match="a share of 'ethnicity'"):
        logframe(tmp_path, yaml.safe_dump(doc))
    doc = yaml.safe_load(LOGFRAME)
    doc["overall"]["shares"][0]["values"] = ["romani"]
    with pytest.raises(ValueError, match=r"share values \['romani'\] unknown"):
        logframe(tmp_path, yaml.safe_dump(doc))


def test_peru_s_logframes_have_no_program_dimension_and_the_same_tables() -> None:
    lf = load_logframe(Path("services/indicators/logframes/pana_peru_2022_2023_y2.yaml"))
    shown = figures(lf, ledger_of(lf, []), Filters()).indicators
    assert all(not i.dimensions and not i.shares for i in shown)


@pytest.mark.usefixtures("balkans")
def test_the_western_balkans_logframe_loads_under_its_program() -> None:
    lf = load_directory(WB_LOGFRAMES)["roma_women_wb_y1"]
    assert lf.disaggregations[-2:] == ["country", "ethnicity"]
    assert lf.overall is not None and lf.overall.target == 26150
    assert [(s.dimension, s.at_least) for s in lf.overall.shares] == [
        ("ethnicity", 85),
        ("sex", 60),
    ]


@pytest.mark.usefixtures("balkans")
def test_the_donor_files_carry_the_dimension_tables_and_shares(tmp_path: Path) -> None:
    lf, ledger = people(tmp_path)
    shown = in_view(figures(lf, ledger, Filters()), View.SUPPRESSED)

    rows = donor_csv(shown).splitlines()
    assert "wb_test,DIRECT,direct,people,20,sex_ethnicity,woman,roma,5" in rows
    assert "wb_test,DIRECT,direct,people,20,sex_country,total,MNE,3" in rows
    assert "wb_test,DIRECT,direct,people,20,share_ethnicity,roma,percent,62.5" in rows
    assert "wb_test,DIRECT,direct,people,20,share_sex,woman,count,7" in rows
    sheet = load_workbook(io.BytesIO(donor_xlsx(shown)))["DIRECT"]
    lines = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert ["sex \\ ethnicity", "roma", "egyptian", "ashkali", "other", "not_declared",
            "unknown", "total"] in lines  # fmt: skip
    assert ["ethnicity", "roma", 85, 5, 62.5, "no"] in lines


@pytest.mark.usefixtures("balkans")
def test_a_figure_filtered_by_a_country_counts_the_acts_of_its_municipalities(
    tmp_path: Path,
) -> None:
    lf, ledger = people(tmp_path)
    by_country = {
        c: figures(lf, ledger, Filters(region=c)).indicators[0] for c in ("SRB", "BIH", "MNE")
    }

    assert {c: f.value for c, f in by_country.items()} == {"SRB": 3, "BIH": 2, "MNE": 3}
    assert by_country["BIH"].regions["ba_tuzla"] == 2
    assert table(by_country["BIH"], "country")["total"] == {
        "BIH": 2, "SRB": 0, "MNE": 0, "unknown": 0, "total": 2,
    }  # fmt: skip
    assert by_country["BIH"].target is None  # no target given for a country
