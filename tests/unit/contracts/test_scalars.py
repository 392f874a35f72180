"""Money keeps its cents as a JSON string; instants are always timezone-aware UTC."""

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import orjson
import pytest
from pydantic import ValidationError

from contracts.examples import example_data
from contracts.vouchers import VoucherRedeemed

REDEEMED = example_data()["voucher.redeemed.v1"]


def redeemed(**changes: Any) -> VoucherRedeemed:
    return VoucherRedeemed.model_validate({**REDEEMED, **changes})


@pytest.mark.parametrize(
    ("given", "wire"),
    [
        (Decimal("150"), "150.00"),
        ("150.5", "150.50"),
        (Decimal("0.10"), "0.10"),
        (2000, "2000.00"),
        ("4999.99", "4999.99"),
    ],
)
def test_money_has_exactly_two_decimals_and_travels_as_a_string(given: Any, wire: str) -> None:
    event = redeemed(amount=given)

    data = orjson.loads(event.model_dump_json())

    assert data["amount"] == wire
    assert event.amount == Decimal(wire)
    assert event.amount.as_tuple().exponent == -2


@pytest.mark.parametrize("amount", ["-0.01", "150.005", "NaN", "Infinity", "12345678901.00", "abc"])
def test_negative_or_imprecise_money_is_refused(amount: str) -> None:
    with pytest.raises(ValidationError, match="amount"):
        redeemed(amount=amount)


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        redeemed(redeemed_at=datetime(2022, 6, 7, 10, 0))


def test_a_naive_iso_string_is_refused() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        redeemed(redeemed_at="2022-06-07T10:00:00")


def test_an_aware_datetime_is_normalised_to_utc() -> None:
    lima = timezone(timedelta(hours=-5))

    event = redeemed(redeemed_at=datetime(2022, 6, 7, 10, 0, tzinfo=lima))

    assert event.redeemed_at == datetime(2022, 6, 7, 15, 0, tzinfo=UTC)
    assert event.redeemed_at.utcoffset() == timedelta(0)
    assert orjson.loads(event.model_dump_json())["redeemed_at"] == "2022-06-07T15:00:00Z"


def test_sets_of_enum_members_are_unique_and_sorted() -> None:
    event = redeemed(services=["medicines", "consultation"])

    assert orjson.loads(event.model_dump_json())["services"] == ["consultation", "medicines"]
    with pytest.raises(ValidationError, match="unique"):
        redeemed(services=["exams", "exams"])
    with pytest.raises(ValidationError, match="at least 1"):
        redeemed(services=[])
