"""Indicator titles in Spanish first: the logframe gives `titles: {es: ...}` beside its English
`title`, the figures carry both, and the donor report (XLSX, PDF) reads the Spanish one."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from services.indicators.attainment import Filters, figures
from services.indicators.logframe import Logframe, load_directory
from services.indicators.reports.donor_pdf import donor_report_pdf
from services.indicators.reports.donor_xlsx import SUMMARY, donor_report_xlsx
from services.indicators.suppression import View, in_view
from tests.unit.indicators.builders import ledger_of, numbered, redeemed, registered
from tests.unit.indicators.reports.poppler import page_texts

LOGFRAMES = load_directory()
Y2 = LOGFRAMES["pana_peru_y2_v1"]
VOUCHERS_ES = "Participantes que recibieron asistencia en forma de vales"  # domain brief, §8
VOUCHERS_EN = "Beneficiaries who receive assistance in the form of vouchers"

MINIMAL = """
key: k
program: p
title: t
period: {start: 2022-09-01, end: 2023-08-31}
indicators:
  - id: A
    title: people served
    target: 10
    requires:
      - name: served
        any_of:
          - event: service.delivered
"""


def test_every_shipped_indicator_has_a_spanish_title_and_keeps_its_english_one() -> None:
    for logframe in LOGFRAMES.values():
        for i in logframe.all_indicators:
            assert i.titles.get("es"), f"{logframe.key} {i.id} has no Spanish title"
            assert i.title_in("es") == i.titles["es"] != i.title
            assert i.title_in("en") == i.title
    vouchers = Y2.indicator("OE2.2")
    assert vouchers is not None
    assert (vouchers.title_in("es"), vouchers.title_in("en")) == (VOUCHERS_ES, VOUCHERS_EN)


def test_a_logframe_without_titles_still_loads_and_shows_its_title_in_every_language() -> None:
    indicator = Logframe.model_validate(yaml.safe_load(MINIMAL)).indicators[0]
    assert indicator.titles == {}
    assert indicator.title_in("es") == indicator.title_in("en") == "people served"


def test_titles_are_only_in_the_languages_of_the_pages() -> None:
    doc = yaml.safe_load(MINIMAL)
    doc["indicators"][0]["titles"] = {"fr": "personnes servies"}
    with pytest.raises(ValueError, match=r"titles\.fr"):
        Logframe.model_validate(doc)


def test_the_figures_carry_both_titles_in_either_view() -> None:
    exact = figures(Y2, ledger_of(Y2, numbered(registered(1), redeemed(1, 1))), Filters())
    for shown in (exact, in_view(exact, View.SUPPRESSED)):
        vouchers = next(i for i in shown.indicators if i.id == "OE2.2")
        assert vouchers.title == VOUCHERS_EN
        assert vouchers.title_in("es") == VOUCHERS_ES and vouchers.title_in("en") == VOUCHERS_EN


def test_the_donor_report_names_each_indicator_in_spanish(tmp_path: Path) -> None:
    attainment = figures(Y2, ledger_of(Y2, numbered(registered(1), redeemed(1, 1))), Filters())
    book = load_workbook(io.BytesIO(donor_report_xlsx(attainment)))
    summary = [r for r in book[SUMMARY].iter_rows(values_only=True) if r and r[0] == "OE2.2"]
    assert summary[0][1] == VOUCHERS_ES
    assert book["OE2.2"]["A1"].value == f"OE2.2: {VOUCHERS_ES}"
    texts = [str(c) for sheet in book for r in sheet.iter_rows(values_only=True) for c in r if c]
    assert not any(VOUCHERS_EN in text for text in texts)
    page = next(p for p in page_texts(donor_report_pdf(attainment), tmp_path) if "OE2.2:" in p)
    assert "OE2.2: Participantes que recibieron asistencia" in page
    assert "Beneficiaries" not in page
