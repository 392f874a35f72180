"""The donor report as PDF, rendered with poppler: one page per part, each page drawn, and each
page's text holding the tables with the figures they were built from (both views)."""

from __future__ import annotations

import re
from pathlib import Path

from services.indicators.reports.donor_pdf import count, donor_report_pdf, percent
from services.indicators.suppression import View, in_view
from tests.unit.indicators.reports.poppler import page_texts, render_pages
from tests.unit.indicators.reports.test_donor_xlsx import AGES, year

PNG = b"\x89PNG\r\n\x1a\n"


def cells(line: str) -> list[str]:
    """A table row's cells as laid out: runs separated by two spaces or more."""
    return [c for c in re.split(r"\s{2,}", line.strip()) if c]


def row(page: str, label: str, after: str) -> list[str]:
    """The first row labelled `label` after the line containing `after`."""
    lines = page.splitlines()
    start = next(n for n, line in enumerate(lines) if after in line)
    return cells(next(line for line in lines[start:] if line.strip().startswith(label)))


def test_every_page_renders(tmp_path: Path) -> None:
    a = year()
    pages = render_pages(donor_report_pdf(a), tmp_path)
    assert len(pages) == 2 + len(a.indicators)  # cover, summary, one page per indicator
    for page in pages:
        assert page.read_bytes().startswith(PNG) and page.stat().st_size > 1000


def test_pages_hold_the_cover_the_summary_and_each_indicators_tables(tmp_path: Path) -> None:
    a = year()
    pages = page_texts(donor_report_pdf(a), tmp_path)
    assert "Informe al donante" in pages[0] and a.title in pages[0]
    assert "Del 01/09/2022 al 31/08/2023" in pages[0]
    summary = pages[1]
    assert "Resumen del marco lógico" in summary
    for i in a.indicators:
        assert row(summary, i.id, "Descripción")[-3:] == [
            count(i.target), count(i.value), percent(i.percent)]  # fmt: skip
    vouchers = pages[2 + [i.id for i in a.indicators].index("OE2.2")]
    assert "OE2.2: Participantes que recibieron asistencia en forma de vales" in vouchers
    assert row(vouchers, "OE2.2", "Indicador") == ["OE2.2", "2.200", "5", "0,2 %"]
    assert cells(next(line for line in vouchers.splitlines() if "Grupo de edad" in line)) == [
        "Grupo de edad", "Mujeres", "Hombres", "No binario", "Total"]  # fmt: skip
    assert [row(vouchers, age, "Grupo de edad")[0] for age in AGES] == AGES  # accents render
    assert row(vouchers, "Adultos/as jóvenes (30 - 44 años)", "Grupo de edad")[1:] == [
        "1", "1", "0", "2"]  # fmt: skip
    assert row(vouchers, "Total", "Grupo de edad")[1:] == ["3", "2", "0", "5"]
    assert "Total de personas por grupo de edad" in vouchers  # the chart's caption and labels
    assert row(vouchers, "Adultos/as jóvenes", "por grupo de edad")[-1] == "2"
    assert row(vouchers, "La Libertad", "Territorio")[1:] == ["3", "2", "0", "5"]


def test_the_suppressed_view_prints_sensitive_counts_as_shown(tmp_path: Path) -> None:
    a = in_view(year(), View.SUPPRESSED)
    pages = page_texts(donor_report_pdf(a), tmp_path)
    survivors = pages[2 + [i.id for i in a.indicators].index("OE1.1")]
    assert "cifras con control de divulgación" in survivors
    assert row(survivors, "OE1.1", "Indicador")[1:3] == ["4.000", "5"]  # 7 shown as 5
    assert row(survivors, "Adultos/as jóvenes (30 - 44 años)", "Grupo de edad")[1:] == [
        "5", "<5", "<5", "5"]  # fmt: skip
    assert row(survivors, "Lima y Callao", "Territorio")[1:] == ["5", "<5", "<5", "5"]
    assert " 7 " not in survivors
