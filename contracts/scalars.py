"""Constrained scalar types shared by every event: money, UTC instants, coarse codes.

Each type constrains its JSON Schema as well as its Python value, so the generated schemas
describe exactly what goes on the wire and no event field is ever an open string.
"""

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    Field,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
)

E = TypeVar("E", bound=StrEnum)

CENT = Decimal("0.01")

MONEY_PATTERN = r"^(0|[1-9][0-9]{0,9})\.[0-9]{2}$"


def _to_cents(amount: Decimal) -> Decimal:
    # Quantizing fixes the scale so 150, 150.0 and "150.00" are one value with one wire form.
    return amount.quantize(CENT)


def _money_text(amount: Decimal) -> str:
    return f"{amount:.2f}"


_ASCII_AMOUNT = re.compile(r"[0-9]+(\.[0-9]+)?")


def _ascii_digits(value: Any) -> Any:
    # Python's Decimal reads any script's digits (Arabic-Indic "\u0661\u0665\u0660" is 150),
    # exponents and surrounding spaces: an amount a person types at a clinic's desk is written
    # with 0-9 and a dot, nothing else.
    if isinstance(value, str) and not _ASCII_AMOUNT.fullmatch(value):
        raise ValueError('an amount is written with the digits 0-9 and a dot, e.g. "150.00"')
    return value


Money = Annotated[
    Decimal,
    BeforeValidator(_ascii_digits),
    Field(ge=0, max_digits=12, decimal_places=2, allow_inf_nan=False),
    AfterValidator(_to_cents),
    # A JSON string, never a number: JSON numbers become floats in many consumers and lose cents.
    PlainSerializer(_money_text, return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": MONEY_PATTERN,
            "description": (
                "Amount in the program's currency (its program file's `currency`),"
                " non-negative, exactly 2 decimals."
            ),
            "examples": ["150.00"],
        }
    ),
]
"""An amount in the program's currency (a deployment has one, its program file's `currency`):
non-negative, exactly two decimals, a JSON string on the wire."""


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


UtcDateTime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""An instant: naive datetimes are rejected, aware ones are normalised to UTC."""

EARLIEST_DATE = date(1900, 1, 1)
FAR_FUTURE = timedelta(days=3653)
"""Ten years from now: past any program phase (two years) and any voucher's validity."""


def plausible_date(value: date) -> date:
    """`value` if a person could mean it (1900-01-01 to ten years from now); else ValueError."""
    latest = (datetime.now(UTC) + FAR_FUTURE).date()
    if value < EARLIEST_DATE:
        raise ValueError("must not be before 1900-01-01")
    if value > latest:
        raise ValueError(f"must not be after {latest.isoformat()} (ten years from now)")
    return value


def _plausible_instant(value: datetime) -> datetime:
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    plausible_date(aware.astimezone(UTC).date())
    return value


PlausibleDate = Annotated[date, AfterValidator(plausible_date)]
"""A calendar date a person means: from 1900-01-01 to ten years from now (requests only)."""

PlausibleDateTime = Annotated[UtcDateTime, AfterValidator(_plausible_instant)]
"""An instant (aware, in UTC) from 1900 to ten years from now: for request bodies."""

PlausibleQueryDateTime = Annotated[datetime, AfterValidator(_plausible_instant)]
"""As `PlausibleDateTime`, naive allowed (read as UTC): for query parameters."""


def _visible(text: str) -> bool:
    """Whether `text` holds more than spaces, invisible formatting and control characters."""
    return any(unicodedata.category(c)[0] not in "ZC" for c in text)


def _not_blank(text: str) -> str:
    if not _visible(text):
        raise ValueError("must contain more than spaces")
    return text


def _has_a_letter(text: str) -> str:
    if not any(c.isalpha() for c in text):
        raise ValueError("a name has at least one letter")
    return text


NOT_BLANK = AfterValidator(_not_blank)
"""Free text that says something: not only spaces or invisible characters (requests only)."""

HAS_A_LETTER = AfterValidator(_has_a_letter)
"""Names: at least one letter (no name is only spaces, digits or dots)."""

PersonName = Annotated[str, Field(min_length=1, max_length=100), HAS_A_LETTER]
"""Given or family names as a caseworker types them."""

YearMonth = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$")]
"""A month as ``YYYY-MM``; used for birth dates, coarsened on purpose (no day)."""

CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
"""An ISO 3166-1 alpha-3 country code such as ``VEN`` or ``PER``."""

ReasonCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]{0,39}$")]

ReceiptNumber = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9/_.-]{0,39}$")]
"""A provider's own receipt or invoice number (e.g. ``B001-000123``): a reference, not text."""
"""A short machine code refining an enum reason (e.g. ``fee_waived``); never prose."""


def _sorted_unique(values: tuple[E, ...]) -> tuple[E, ...]:
    if len(set(values)) != len(values):
        raise ValueError("items must be unique")
    # A canonical order makes equal sets serialise to equal bytes (sets would follow hash order).
    return tuple(sorted(values))


_UNIQUE_ITEMS = Field(json_schema_extra={"uniqueItems": True})

EnumSet = Annotated[tuple[E, ...], AfterValidator(_sorted_unique), _UNIQUE_ITEMS]
"""A set of enum members: unique, serialised as a sorted JSON array."""

# The length bound sits on the tuple itself (before the validator) so the schema says minItems.
NonEmptyEnumSet = Annotated[
    tuple[E, ...], Field(min_length=1), AfterValidator(_sorted_unique), _UNIQUE_ITEMS
]
"""A set of at least one enum member."""
