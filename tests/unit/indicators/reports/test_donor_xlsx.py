"""The donor report workbook, read back with openpyxl: layout, Spanish labels, formats, and
every figure equal to the attainment it was built from (both views)."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from services.indicators.attainment import Attainment, Filters, figures
from services.indicators.logframe import load_directory
from services.indicators.reports.donor_xlsx import (
    COUNT_FORMAT,
    PERCENT_FORMAT,
    SUMMARY,
    donor_report_xlsx,
)
from services.indicators.reports.labels import AGE_LABELS, REGION_LABELS
from services.indicators.suppression import View, in_view
from tests.unit.indicators.builders import (
    case_opened,
    ledger_of,
    numbered,
    redeemed,
    referral_completed,
    registered,
)

Y2 = load_directory()["pana_peru_y2_v1"]
AGES = [
    "Primera infancia (0 - 5 años)",
    "Niñez (6 - 11 años)",
    "Adolescencia (12 - 17 años)",
    "Jóvenes (18 - 29 años)",
    "Adultos/as jóvenes (30 - 44 años)",
    "Adultos/as (45 - 59 años)",
    "Adultos/as mayores (60 y más años)",
]


def year() -> Attainment:
    """A small year: 3 women and 2 men with vouchers, 7 GBV survivors (a sensitive count)."""
    events = []
    for p, (sex, born) in enumerate(
        [("woman", "1990-05"), ("woman", "2019-01"), ("woman", "1950-03"), ("man", "2010-07"),
         ("man", "1985-02")], start=1):  # fmt: skip
        events += [registered(p, sex=sex, born=born), redeemed(p, p)]
    for p in range(20, 27):
        events += [registered(p), case_opened(p), referral_completed(p)]
    return figures(Y2, ledger_of(Y2, numbered(*events)), Filters())


def rows(sheet: Worksheet) -> list[tuple[object, ...]]:
    return list(sheet.iter_rows(values_only=True))


def table_after(sheet_rows: list[tuple[object, ...]], first: str) -> list[tuple[object, ...]]:
    start = next(n for n, r in enumerate(sheet_rows) if r[0] == first)
    end = next(
        (n for n in range(start, len(sheet_rows)) if sheet_rows[n][0] is None), len(sheet_rows)
    )
    return sheet_rows[start:end]


def test_the_workbook_has_a_spanish_summary_and_a_sheet_per_indicator() -> None:
    a = year()
    book = load_workbook(io.BytesIO(donor_report_xlsx(a)))
    assert book.sheetnames == [SUMMARY, *(i.id for i in a.indicators)]
    summary = book[SUMMARY]
    table = table_after(rows(summary), "Indicador")
    assert table[0] == ("Indicador", "Descripción", "Unidad", "Meta", "Resultado", "% de la meta")
    by_id = {r[0]: r for r in table[1:]}
    for i in a.indicators:
        assert by_id[i.id][3:5] == (i.target, i.value)
        assert by_id[i.id][5] == (None if i.percent is None else i.percent / 100)
    assert summary.freeze_panes is not None
    assert all(summary.column_dimensions[c].width > 8 for c in "ABCDEF")
    voucher_row = next(n for n, r in enumerate(summary.iter_rows(values_only=True), start=1)
                       if r[0] == "OE2.2")  # fmt: skip
    assert summary.cell(voucher_row, 5).number_format == COUNT_FORMAT
    assert summary.cell(voucher_row, 6).number_format == PERCENT_FORMAT


def test_an_indicator_sheet_is_the_reports_table_with_totals_equal_to_the_figures() -> None:
    a = year()
    book = load_workbook(io.BytesIO(donor_report_xlsx(a)))
    sheet = book["OE2.2"]
    content = rows(sheet)
    assert content[3][:4] == ("Indicador", "Meta", "Resultado", "% de la meta")
    assert content[4][:3] == ("OE2.2", 2200, 5)
    table = table_after(content, "Grupo de edad")
    assert table[0][:5] == ("Grupo de edad", "Mujeres", "Hombres", "No binario", "Total")
    assert [r[0] for r in table[1:]] == [*AGES, "Total"]
    oe22 = next(i for i in a.indicators if i.id == "OE2.2")
    for row in table[1:]:
        age = next(k for k, v in AGE_LABELS.items() if v == row[0])
        assert row[1:5] == tuple(
            oe22.sex_age[s][age] for s in ("woman", "man", "non_binary", "total")
        )
    assert table[-1][1:5] == (3, 2, 0, 5)
    assert sum(int(str(r[4])) for r in table[1:-1]) == table[-1][4] == oe22.value
    territories = table_after(content, "Territorio")
    assert territories[0][:5] == ("Territorio", "Mujeres", "Hombres", "No binario", "Total")
    assert [r[0] for r in territories[1:]] == [*REGION_LABELS.values(), "Total"]
    by_region = {r[0]: r[1:5] for r in territories[1:]}
    assert by_region["La Libertad"] == (3, 2, 0, 5) == by_region["Total"]
    assert by_region["Tumbes"] == (0, 0, 0, 0)
    assert sheet.freeze_panes is not None and sheet.freeze_panes.startswith("B")
    assert sheet.column_dimensions["A"].width >= 30
    assert not any("_" in str(c) for r in content for c in r if isinstance(c, str) and c != "OE2.2")


def test_the_suppressed_view_writes_sensitive_counts_as_shown() -> None:
    shown = in_view(year(), View.SUPPRESSED)
    book = load_workbook(io.BytesIO(donor_report_xlsx(shown)))
    content = rows(book["OE1.1"])
    assert content[4][:3] == ("OE1.1", 4000, 5)  # 7 survivors are published as 5
    table = table_after(content, "Grupo de edad")
    youth = next(r for r in table if r[0] == "Adultos/as jóvenes (30 - 44 años)")
    assert youth[1:5] == (5, "<5", "<5", 5)
    assert "cifras con control de divulgación" in str(content[1][0])
    exact = load_workbook(io.BytesIO(donor_report_xlsx(year())))
    assert rows(exact["OE1.1"])[4][:3] == ("OE1.1", 4000, 7)
