"""Amounts in the vouchers API have currency-neutral names (`maximum`, `remaining`, `total`) and
say their `currency`, the program's; the old `*_pen` names stay beside them, deprecated, with
the same amounts, and the setting's old name is still read."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from services.vouchers import commands
from services.vouchers.reconciliation import Statement
from services.vouchers.requests import ClinicView
from services.vouchers.settings import VouchersSettings
from tests.unit.vouchers.fakes import CODE, World, issued, redeemed
from tests.unit.vouchers.givens import CLINIC, LIMA, NOW

MARCH = (datetime(2023, 3, 1, tzinfo=UTC), datetime(2023, 4, 1, tzinfo=UTC))
LINES = [
    {"voucher_id": "v-1", "redemption_id": "r-1", "amount": "80.00"},
    {"voucher_id": "v-1", "redemption_id": "r-2", "amount": "19.75"},
]


async def test_a_clinic_sees_amounts_by_neutral_names_with_the_currency() -> None:
    world = World()
    await issued(world, "200.00", partial=True)
    await redeemed(world, "80.00")

    view = await commands.clinic_view(world.ports(), CODE, CLINIC, LIMA, NOW)
    seen = view.model_dump(mode="json")
    assert (seen["maximum"], seen["remaining"], seen["currency"]) == ("200.00", "120.00", "PEN")
    assert (seen["maximum_pen"], seen["remaining_pen"]) == ("200.00", "120.00")


def test_the_openapi_schema_marks_the_pen_names_deprecated() -> None:
    schema = ClinicView.model_json_schema()
    properties = schema["properties"]
    assert properties["maximum_pen"]["deprecated"] is True
    assert properties["remaining_pen"]["deprecated"] is True
    assert "deprecated" not in properties["maximum"]
    assert {"maximum", "remaining", "currency"} <= set(schema["required"])


def test_the_statement_says_its_total_and_currency() -> None:
    statement = Statement("p-1", *MARCH, LINES).as_json()
    assert (statement["total"], statement["currency"]) == ("99.75", "PEN")
    assert statement["total_pen"] == statement["total"]


@pytest.mark.usefixtures("balkans")
def test_another_program_s_amounts_are_in_its_currency() -> None:
    statement = Statement("p-1", *MARCH, LINES).as_json()
    assert (statement["total"], statement["currency"]) == ("99.75", "EUR")


def test_the_cap_is_read_by_its_new_name_and_still_by_its_old_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert VouchersSettings().standard_cap == Decimal("300.00")
    monkeypatch.setenv("PANA_STANDARD_CAP_PEN", "250.00")
    assert VouchersSettings().standard_cap == Decimal("250.00")
    monkeypatch.setenv("PANA_STANDARD_CAP", "400.00")
    assert VouchersSettings().standard_cap == Decimal("400.00")
