"""Every label comes from the catalogs, in both languages; dates and soles as people read them."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from web import i18n
from web.qr import qr_svg

WEB = Path(__file__).resolve().parents[3] / "web"
_LITERAL_KEY = re.compile(r"""\bt\(\s*["']([a-z_]+\.[a-z_.]*[a-z])["']""")


def test_both_catalogs_hold_the_same_labels() -> None:
    assert set(i18n.catalog("es")) == set(i18n.catalog("en"))
    assert all(i18n.catalog("es").values()) and all(i18n.catalog("en").values())


def test_every_label_the_pages_name_is_in_the_catalog() -> None:
    named = set()
    for source in [*WEB.glob("templates/*.html"), *WEB.glob("pages/*.py"), *WEB.glob("*.py")]:
        named |= set(_LITERAL_KEY.findall(source.read_text("utf-8")))
    assert named, "no label found: the pattern no longer matches the templates"
    assert named <= set(i18n.catalog("es")), sorted(named - set(i18n.catalog("es")))


@pytest.mark.parametrize(
    ("language", "amount", "shown"),
    [("es", "1234.5", "S/ 1.234,50"), ("en", "1234.5", "S/ 1,234.50"),
     ("es", Decimal("80"), "S/ 80,00"), ("es", "1234567.891", "S/ 1.234.567,89")],
)  # fmt: skip
def test_money_in_soles(language: str, amount: str | Decimal, shown: str) -> None:
    assert i18n.format_money(amount, language) == shown


def test_numbers_group_and_decimals_by_language() -> None:
    assert i18n.format_number(26500, "es") == "26.500"
    assert i18n.format_number(12.25, "es", 1) == "12,2"
    assert i18n.format_number(26500, "en") == "26,500"


def test_dates_are_day_month_year_in_the_program_time_zone() -> None:
    assert i18n.format_date(date(2026, 3, 9), "es") == "09/03/2026"
    # 02:00 UTC on 1 March is still 28 February in Lima (UTC-5).
    assert i18n.format_date("2026-03-01T02:00:00Z", "es") == "28/02/2026"


def test_an_unknown_language_falls_back_to_spanish() -> None:
    assert i18n.translate("fr", "welcome.sign_in") == "Iniciar sesión"
    assert i18n.translate("en", "welcome.sign_in") == "Sign in"


def test_the_voucher_qr_is_inline_svg_that_scales() -> None:
    svg = qr_svg("pana:voucher:7K2M-9QXA-4TR")
    assert svg.startswith("<svg") and "viewBox" in svg and "http://www.w3.org/2000/svg" in svg
