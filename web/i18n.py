"""Labels from message catalogs (`messages/<language>.json`), dates and money as people read them.

JSON catalogs rather than gettext: no compile step, one flat file per language that a
translator edits directly, and the same keys reach the page's small script (offline queue
messages) without a second format. A test holds both catalogs to the same keys.
Money is written by hand, not with Babel: CLDR's Latin American Spanish locales may group with
commas (`1,234.50`), while the program's Spanish documents write `1.234,50`. The sign before it
is the program file's (`currency_sign`, else its currency's code): a deployment has one currency.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from program.load import current_program

LANGUAGES = ("es", "en")
DEFAULT = "es"
CATALOGS = Path(__file__).with_name("messages")
PROGRAM_TIME = ZoneInfo(current_program().timezone)


@cache
def catalog(language: str) -> dict[str, str]:
    """The labels of `language` (`es` when unknown)."""
    if language not in LANGUAGES:
        language = DEFAULT
    loaded: dict[str, str] = json.loads((CATALOGS / f"{language}.json").read_text("utf-8"))
    return {**loaded, **_program_labels(language), **_age_groups(language, loaded)}


def _program_labels(language: str) -> dict[str, str]:
    # The deployment's own words are labelled by its program file, not by the catalogs.
    program = current_program()
    terms = [
        *program.territories.units, *program.services, *program.referral_destinations,
        *program.voucher_coverage, *program.document_types, *program.livelihood_programs,
        *program.regularization_profiles, *program.case_types, *program.livelihood_outcomes,
    ]  # fmt: skip
    return {f"code.{term.code}": getattr(term.labels, language) for term in terms}


def _age_groups(language: str, formats: dict[str, str]) -> dict[str, str]:
    # As the reports name them, with their years ("Primera infancia (0 - 5 años)"): the program
    # file gives each band's name and first year, a band ends the year before the next begins.
    bands = current_program().age_groups
    named = {}
    for band, following in zip(bands, [*bands[1:], None], strict=True):
        name, low = getattr(band.labels, language), band.from_age
        named[f"code.{band.code}"] = (
            formats["age_group.and_over"].format(name=name, low=low)
            if following is None
            else formats["age_group.years"].format(name=name, low=low, high=following.from_age - 1)
        )
    return named


def translate(language: str, key: str, **values: object) -> str:
    """The label `key` in `language`, with `{name}` placeholders filled; the key if missing."""
    text = catalog(language).get(key) or catalog(DEFAULT).get(key) or key
    return text.format(**values) if values else text


def format_date(value: str | date | datetime | None, language: str) -> str:
    """`dd/mm/aaaa` (a moment is shown as its day in the program's time zone)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return str(value)
    if isinstance(value, datetime):
        value = value.astimezone(PROGRAM_TIME).date() if value.tzinfo else value.date()
    return value.strftime("%d/%m/%Y")


def format_money(value: str | Decimal | int | None, language: str) -> str:
    """An amount in the program's currency, after its sign: `€ 1.234,50` in Spanish, `€ 1,234.50`
    in English (a program in euros whose sign is `€`)."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = f"{amount:,.2f}"
    if language == "es":
        text = text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
    return f"{current_program().money_sign()} {text}"


def format_number(value: float | int | str | None, language: str, decimals: int = 0) -> str:
    """A count or a percentage: `26.500` and `12,5` in Spanish, `26,500` and `12.5` in English."""
    if value is None or value == "":
        return ""
    text = f"{float(value):,.{decimals}f}"
    if language == "es":
        text = text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
    return text
