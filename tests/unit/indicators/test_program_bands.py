"""The indicators' tables list the program file's sexes and age groups, in file order: a program
with two sexes and the bands 0-17, 18-59 and 60+ counts each person in its own band at the act,
and its sex x age, sex x territory, downloads and R4V groups show nothing else."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from services.indicators.attainment import Attainment, Filters, figures
from services.indicators.downloads import donor_csv, donor_report_xlsx
from services.indicators.logframe import load_logframe
from services.indicators.reports.labels import AGE_LABELS, age_sex_table, sex_region_table
from services.indicators.reports.r4v import group
from services.indicators.suppression import View, in_view
from tests.support.peru import REGIONS
from tests.unit.indicators.builders import ledger_of, numbered, registered, service

LOGFRAME = """
key: bands_test
program: t
title: t
period: {start: 2022-09-01, end: 2023-08-31}
timezone: America/Lima
disaggregations: [sex_age, region, month]
overall:
  id: SERVED
  title: served
  target: 10
  requires:
    - name: served
      any_of: [{event: service.delivered}]
indicators:
  - id: PFA
    title: pfa
    target: 5
    requires:
      - name: pfa
        any_of: [{event: service.delivered, where: {service_type: [psychological_first_aid]}}]
"""

BANDS = ["children", "adults", "older_people"]
PEOPLE = [  # sex, birth month, age on the service day (2022-10-05)
    ("woman", "2010-05"),  # 12: children (Peru: adolescence)
    ("man", "1990-05"),  # 32: adults (Peru: young_adults)
    ("woman", "1960-01"),  # 62: older_people
    ("woman", "2004-10"),  # 18 since 2022-10-01: adults (Peru: youth)
    ("man", "2004-11"),  # 17: children (Peru: adolescence)
    ("non_binary", "1990-05"),  # a sex this program does not list (an earlier file's): unknown
]


def served(tmp_path: Path) -> Attainment:
    (tmp_path / "lf.yaml").write_text(LOGFRAME)
    lf = load_logframe(tmp_path / "lf.yaml")
    events = numbered(
        *(registered(p, sex, born) for p, (sex, born) in enumerate(PEOPLE, 1)),
        *(service(p, "psychological_first_aid", region="piura") for p in range(1, 7)),
    )
    return figures(lf, ledger_of(lf, events), Filters())


@pytest.mark.usefixtures("three_bands")
def test_sex_by_age_is_the_program_s_sexes_by_its_bands_in_file_order(tmp_path: Path) -> None:
    i = served(tmp_path).indicators[0]
    assert i.value == 6
    assert list(i.sex_age) == ["woman", "man", "unknown", "total"]
    assert i.sex_age == {
        "woman": {"children": 1, "adults": 1, "older_people": 1, "unknown": 0, "total": 3},
        "man": {"children": 1, "adults": 1, "older_people": 0, "unknown": 0, "total": 2},
        "unknown": {"children": 0, "adults": 1, "older_people": 0, "unknown": 0, "total": 1},
        "total": {"children": 2, "adults": 3, "older_people": 1, "unknown": 0, "total": 6},
    }
    assert [list(row) for row in i.sex_age.values()] == [[*BANDS, "unknown", "total"]] * 4
    assert list(i.sex_region) == ["woman", "man", "unknown", "total"]
    assert list(i.sex_region["total"]) == [*REGIONS, "total"]
    assert {s: row["piura"] for s, row in i.sex_region.items()} == {
        "woman": 3, "man": 2, "unknown": 1, "total": 6,
    }  # fmt: skip


@pytest.mark.usefixtures("three_bands")
def test_the_downloads_name_the_program_s_bands_with_their_ages(tmp_path: Path) -> None:
    exported = served(tmp_path)
    i = exported.indicators[0]
    header, rows = age_sex_table(i)
    assert header == ["Mujeres", "Hombres", "Sin dato", "Total"]
    assert rows == [
        ("Niñas, niños y adolescentes (0 - 17 años)", [1, 1, 0, 2]),
        ("Personas adultas (18 - 59 años)", [1, 1, 1, 3]),
        ("Personas mayores (60 y más años)", [1, 0, 0, 1]),
        ("Total", [3, 2, 1, 6]),
    ]
    assert sex_region_table(i)[0] == ["Mujeres", "Hombres", "Sin dato", "Total"]

    lines = list(csv.reader(io.StringIO(donor_csv(exported))))
    ages = [r[7] for r in lines if r[1] == "SERVED" and r[5] == "sex_age" and r[6] == "woman"]
    assert ages == [*BANDS, "unknown", "total"]
    assert {r[6] for r in lines if r[5] == "sex_age"} == {"woman", "man", "unknown", "total"}

    book = load_workbook(io.BytesIO(donor_report_xlsx(in_view(exported, View.EXACT))))
    cells = [c for s in book.worksheets for r in s.iter_rows(values_only=True) for c in r if c]
    shown = [c for c in cells if isinstance(c, str) and "años)" in c]
    assert shown[:3] == [row[0] for row in rows[:3]]
    assert not any(label in cells for label in ("No binario", "Jóvenes (18 - 29 años)"))


@pytest.mark.usefixtures("three_bands")
def test_r4v_groups_follow_the_bands_under_eighteen() -> None:
    assert [group("woman", "children"), group("man", "children")] == ["girls", "boys"]
    assert [group("woman", "adults"), group("man", "older_people")] == ["women", "men"]
    assert group("woman", "adolescence") == "other"  # not a band of this program


def test_peru_s_age_labels_are_the_reports_as_before() -> None:
    assert AGE_LABELS == {
        "early_childhood": "Primera infancia (0 - 5 años)",
        "childhood": "Niñez (6 - 11 años)",
        "adolescence": "Adolescencia (12 - 17 años)",
        "youth": "Jóvenes (18 - 29 años)",
        "young_adults": "Adultos/as jóvenes (30 - 44 años)",
        "adults": "Adultos/as (45 - 59 años)",
        "older_adults": "Adultos/as mayores (60 y más años)",
        "unknown": "Edad sin dato",
        "total": "Total",
    }
