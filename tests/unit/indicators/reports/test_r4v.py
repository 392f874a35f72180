"""The R4V 5W figures on a small synthetic year, against counts made by hand: people reached in
the month, and unique people from January to the month (a person reached in two months, or
twice in one month, or under two merged records, is one)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from program.load import current_program
from services.indicators.logframe import load_directory
from services.indicators.reports.r4v import (
    HEADER,
    FiveWRow,
    NoR4V,
    five_w,
    five_w_csv,
    five_w_xlsx,
    group,
)
from tests.unit.indicators.builders import (
    Numbered,
    case_opened,
    ledger_of,
    merged,
    numbered,
    referral_completed,
    registered,
    service,
)

Y2 = load_directory()["pana_peru_y2_v1"]
PAP = "psychological_first_aid"
NONE = {"women": 0, "men": 0, "girls": 0, "boys": 0, "other": 0}


def year_2023() -> list[Numbered]:
    return numbered(
        registered(1, "woman", "1990-05"),
        registered(2, "woman", "2015-01"),  # a girl
        registered(3, "man", "2010-07"),  # a boy
        registered(5, "man", "1980-01"),
        registered(6, "woman", "1990-01"),
        service(1, PAP, "2023-01-10"),
        service(1, PAP, "2023-03-02"),  # reached again in March: once in the consolidated
        service(4, PAP, "2023-01-20"),  # never registered: other
        service(5, PAP, "2023-01-05"),
        service(5, PAP, "2023-01-25"),  # twice in January: once in January
        service(3, PAP, "2023-02-14", region="piura"),
        service(2, PAP, "2023-03-30"),
        service(6, PAP, "2022-12-12"),  # reached in 2022 only: not in 2023's figures
        registered(7, "woman", "1990-05"),
        merged(7, 1),
        service(7, PAP, "2023-04-04"),  # person 1 under a merged record
        registered(8, "woman", "1995-03"),
        case_opened(8, day="2023-01-15"),  # OE1.1 needs the case and the assistance
        referral_completed(8, "legal", "2023-02-20"),
    )


def by_key(rows: list[FiveWRow]) -> dict[tuple[str, str, str], FiveWRow]:
    return {(r.indicator, r.region, r.month): r for r in rows}


def test_monthly_and_consolidated_are_unique_people_counted_by_hand() -> None:
    rows = by_key(five_w(Y2, ledger_of(Y2, year_2023()), 2023))
    pap = {k[1:]: r for k, r in rows.items() if k[0] == "OE2.7"}
    assert sorted(m for r, m in pap if r == "lima_callao") == [f"2023-{m:02d}" for m in range(1, 9)]
    assert sorted(m for r, m in pap if r == "piura") == [f"2023-{m:02d}" for m in range(2, 9)]
    jan, feb = pap[("lima_callao", "2023-01")], pap[("lima_callao", "2023-02")]
    assert jan.monthly == {**NONE, "women": 1, "men": 1, "other": 1}
    assert jan.consolidated == jan.monthly
    assert feb.monthly == NONE  # nobody reached in February in Lima
    assert feb.consolidated == {**NONE, "women": 1, "men": 1, "other": 1}
    march = pap[("lima_callao", "2023-03")]
    assert march.monthly == {**NONE, "women": 1, "girls": 1}
    # person 1, reached in January and March, is one: 4 people, where max-then-sum says 3
    # and the sum of months 5
    assert march.consolidated == {**NONE, "women": 1, "men": 1, "girls": 1, "other": 1}
    april = pap[("lima_callao", "2023-04")]
    assert april.monthly == {**NONE, "women": 1}  # the merged record is person 1
    assert april.consolidated == march.consolidated
    assert pap[("lima_callao", "2023-08")].consolidated == march.consolidated
    assert pap[("piura", "2023-02")].monthly == {**NONE, "boys": 1}
    assert pap[("piura", "2023-05")].consolidated == {**NONE, "boys": 1}
    gbv = {k[1:]: r for k, r in rows.items() if k[0] == "OE1.1"}
    assert ("lima_callao", "2023-01") not in gbv  # the case alone does not reach anyone
    assert gbv[("lima_callao", "2023-02")].monthly == {**NONE, "women": 1}


def test_only_mapped_indicators_and_the_asked_year_within_the_period() -> None:
    rows = five_w(Y2, ledger_of(Y2, year_2023()), 2023)
    assert {r.indicator for r in rows} <= set(Y2.r4v_activities())
    assert "DIRECT" not in {r.indicator for r in rows}
    late_2022 = five_w(Y2, ledger_of(Y2, year_2023()), 2022)
    assert {r.month for r in late_2022} == {"2022-12"}  # person 6, and Sep-Nov nobody
    assert five_w(Y2, ledger_of(Y2, year_2023()), 2030) == []


def test_population_groups() -> None:
    assert group("woman", "adolescence") == "girls" and group("woman", "youth") == "women"
    assert group("man", "early_childhood") == "boys" and group("man", "older_adults") == "men"
    assert group("non_binary", "youth") == group("unknown", "youth") == "other"
    assert group("woman", "unknown") == "other"


def test_the_files_carry_the_r4v_columns_and_the_logframes_names() -> None:
    rows = five_w(Y2, ledger_of(Y2, year_2023()), 2023)
    lines = list(csv.reader(io.StringIO(five_w_csv(Y2, rows))))
    assert lines[0] == HEADER
    assert lines[0][:10] == [
        "Country", "Admin1", "Admin2", "Appealing organisation", "Implementing organisation",
        "Sector", "RMRP indicator", "Activity", "Month", "Population type"]  # fmt: skip
    march = next(x for x in lines if x[10] == "OE2.7" and x[8] == "2023-03" and x[1] != "Piura")
    reporting = current_program().r4v
    assert reporting is not None
    assert march[0] == "Peru" and march[3] == reporting.appealing_organisation
    assert march[1] == "Lima y Callao" and march[2] == ""
    assert march[5] == "Protection" and march[9] == "In destination"
    assert march[11:17] == ["1", "0", "1", "0", "0", "2"]  # monthly: a woman, a girl
    assert march[17:] == ["1", "1", "1", "0", "1", "4"]  # consolidated
    book = load_workbook(io.BytesIO(five_w_xlsx(Y2, rows)))
    sheet = book["5W"]
    assert [c.value for c in sheet[1]] == HEADER and sheet.freeze_panes == "A2"
    assert len(list(sheet.iter_rows())) == len(lines)
    assert sheet.column_dimensions["G"].width >= 30
    assert sheet.cell(2, 12).number_format == "#,##0"


def test_a_logframe_without_r4v_is_refused() -> None:
    plain = current_program().model_copy(update={"r4v": None})
    with pytest.raises(NoR4V):
        five_w(Y2, ledger_of(Y2, []), 2023, plain)
    unmapped = Y2.model_copy(update={"indicators": [Y2.indicators[1]]})  # OE1.3, cases
    with pytest.raises(NoR4V):
        five_w(unmapped, ledger_of(Y2, []), 2023)


def test_the_r4v_blocks_are_validated_at_load() -> None:
    doc = Y2.model_dump(mode="json")
    cases = next(i for i in doc["indicators"] if i["id"] == "OE1.3")
    cases["r4v"] = {"sector": "Protection", "indicator": "x", "activity": "y"}
    with pytest.raises(ValueError, match="R4V reports people"):
        type(Y2).model_validate(doc)
    doc = Y2.model_dump(mode="json")
    doc["indicators"][0]["r4v"] = {"sector": "Protection", "indicator": "x"}
    with pytest.raises(ValueError, match="activity"):
        type(Y2).model_validate(doc)
