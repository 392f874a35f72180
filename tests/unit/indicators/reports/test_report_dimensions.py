"""The program's dimensions in the donor report (issue 27): each indicator's sheet and page
carries sex x each dimension of its logframe (population type, an attribute, an admin level),
labelled from the program file, every cell equal to the answer's `dimensions` in both views."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from services.indicators.attainment import TOTAL, Attainment, Filters, figures
from services.indicators.people import UNKNOWN
from services.indicators.reports import labels
from services.indicators.reports.donor_pdf import count, donor_report_pdf
from services.indicators.reports.donor_xlsx import donor_report_xlsx, sheet_name
from services.indicators.reports.labels import SEX_LABELS
from services.indicators.suppression import View, in_view
from tests.unit.indicators.reports.poppler import page_texts
from tests.unit.indicators.test_dimensions import people


def year(tmp_path: Path, view: View) -> Attainment:
    lf, ledger = people(tmp_path)
    return in_view(figures(lf, ledger, Filters()), view)


@pytest.mark.usefixtures("balkans")
@pytest.mark.parametrize("view", [View.EXACT, View.SUPPRESSED])
def test_the_workbook_has_sex_by_each_dimension_equal_to_the_answer(
    tmp_path: Path, view: View
) -> None:
    a = year(tmp_path, view)
    book = load_workbook(io.BytesIO(donor_report_xlsx(a)))
    compared = 0
    for i in a.indicators:
        sheet_rows = list(book[sheet_name(i.id)].iter_rows(values_only=True))
        assert [t.dimension for t in i.dimensions] == ["country", "ethnicity", "population_type"]
        for t in i.dimensions:
            start = next(n for n, r in enumerate(sheet_rows) if r[0] == t.labels["es"])
            header = [c for c in sheet_rows[start][1:] if c is not None]
            assert header == ["Mujeres", "Hombres", "Total"]  # the program's sexes, no other
            sexes = {SEX_LABELS[s]: s for s in t.sex}
            named = {lab["es"]: v for v, lab in t.value_labels.items()} | {
                "Sin dato": UNKNOWN, "Total": TOTAL,
            }  # fmt: skip
            body = sheet_rows[start + 1 : start + 1 + len(t.sex[TOTAL])]
            body = body[: next((n for n, r in enumerate(body) if r[0] is None), len(body))]
            assert body[-1][0] == "Total"
            for row in body:
                value = named[str(row[0])]
                for label, cell in zip(header, row[1:], strict=False):
                    assert cell == t.sex[sexes[str(label)]][value], (
                        i.id,
                        t.dimension,
                        label,
                        value,
                    )
                    compared += 1
            shown = {named[str(r[0])] for r in body}
            assert shown >= {v for v in t.sex[TOTAL] if v != UNKNOWN}  # every value, and Total
    # Every row of every table, three columns; a suppressed "Sin dato" row is not shown.
    assert compared == {View.EXACT: 90, View.SUPPRESSED: 87}[view]


@pytest.mark.usefixtures("balkans")
def test_a_sensitive_dimension_is_marked_and_written_as_shown(tmp_path: Path) -> None:
    shown = year(tmp_path, View.SUPPRESSED)
    direct = shown.indicators[0]
    ethnicity = next(t for t in direct.dimensions if t.dimension == "ethnicity")
    assert ethnicity.sex["man"]["egyptian"] == "<5"  # one man: under the small-cell rule
    sheet = load_workbook(io.BytesIO(donor_report_xlsx(shown)))[sheet_name(direct.id)]
    texts = [r[0] for r in sheet.iter_rows(values_only=True)]
    assert "Número de personas por sexo y etnia (dato protegido)" in texts
    assert "Número de personas por sexo y país" in texts


@pytest.mark.usefixtures("balkans")
def test_each_indicator_page_prints_its_dimension_tables(tmp_path: Path) -> None:
    a = year(tmp_path, View.EXACT)
    pages = page_texts(donor_report_pdf(a), tmp_path)
    starts = [
        next(n for n, p in enumerate(pages) if p.lstrip().startswith(f"{i.id}: "))
        for i in a.indicators
    ]
    for i, start, end in zip(a.indicators, starts, [*starts[1:], len(pages)], strict=True):
        page = "\n".join(pages[start:end])  # an indicator's tables may run onto a second page
        for t in i.dimensions:
            assert t.labels["es"] in page
            table = page[page.index(t.labels["es"]) :]  # its header row, then its rows
            for value, names in t.value_labels.items():
                total = t.sex[TOTAL][value]
                if value == UNKNOWN and total == 0:
                    continue
                name = "Sin dato" if value == UNKNOWN else names["es"]
                line = next(x for x in table.splitlines() if x.strip().startswith(name))
                cells = [count(t.sex[s][value]) for s in t.sex if s != UNKNOWN]
                assert line.split()[-len(cells) :] == cells, (t.dimension, value, line)


@pytest.mark.usefixtures("balkans")
def test_a_territory_the_core_font_cannot_spell_is_printed_without_its_mark(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(labels.REGION_LABELS, "rs_nis", "Niš")  # the program file's label
    a = year(tmp_path, View.EXACT)
    pages = "\n".join(page_texts(donor_report_pdf(a), tmp_path))
    nis = a.indicators[0].sex_region
    line = next(x for x in pages.splitlines() if x.strip().startswith("Nis "))
    assert line.split()[1:] == [count(nis[s]["rs_nis"]) for s in ("woman", "man", TOTAL)]
