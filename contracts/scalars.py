"""Constrained scalar types shared by every event: money, UTC instants, coarse codes.

Each type constrains its JSON Schema as well as its Python value, so the generated schemas
describe exactly what goes on the wire and no event field is ever an open string.
"""

from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
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


Money = Annotated[
    Decimal,
    Field(ge=0, max_digits=12, decimal_places=2, allow_inf_nan=False),
    AfterValidator(_to_cents),
    # A JSON string, never a number: JSON numbers become floats in many consumers and lose cents.
    PlainSerializer(_money_text, return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": MONEY_PATTERN,
            "description": "Amount in Peruvian soles (PEN), non-negative, exactly 2 decimals.",
            "examples": ["150.00"],
        }
    ),
]
"""An amount in soles (PEN): non-negative, exactly two decimals, a JSON string on the wire."""


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


UtcDateTime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""An instant: naive datetimes are rejected, aware ones are normalised to UTC."""

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
