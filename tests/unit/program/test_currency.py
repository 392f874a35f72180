"""Amounts are in the program's currency: screens, forms, import templates, refusals, the event
schemas and the redeemed-money metric say the program file's, never a currency of the code's."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest

from contracts.registry import latest_model
from contracts.vocabulary import Urgency
from deploy.imports.kinds import KINDS
from eventkit.decider import Refused
from program.load import PROGRAMS_DIR, current_program, load_program
from services.cases.field_forms.forms import SERVICES
from services.vouchers import issue
from services.vouchers.metrics import REDEEMED
from services.vouchers.voucher import Voucher
from web.i18n import format_money

NOW = datetime(2023, 3, 1, 15, tzinfo=UTC)


def test_the_web_writes_amounts_with_the_programs_sign() -> None:
    assert format_money("1234.5", "es") == "S/ 1.234,50"
    assert format_money("1234.5", "en") == "S/ 1,234.50"


@pytest.mark.usefixtures("balkans")
def test_another_program_s_amounts_carry_its_sign() -> None:
    assert format_money("1234.5", "es") == "€ 1.234,50"
    assert format_money(Decimal("80"), "en") == "€ 80.00"


def test_a_program_without_a_sign_writes_its_currency_s_code() -> None:
    text = (PROGRAMS_DIR / "western_balkans.yaml").read_text(encoding="utf-8")
    program = load_program(PROGRAMS_DIR / "western_balkans.yaml")
    assert program.money_sign() == "€"
    assert "currency_sign: €\n" in text
    unsigned = program.model_copy(update={"currency_sign": None})
    assert unsigned.money_sign() == "EUR"


def test_forms_and_import_templates_name_the_programs_currency() -> None:
    currency = current_program().currency
    cost = SERVICES.questions()["cost"]
    assert f"({currency}, " in cost.es and f"({currency}, " in cost.en
    services = KINDS["services"].column("cost")
    assert (services.es, services.en) == (f"Costo ({currency})", f"Cost ({currency})")


@pytest.mark.usefixtures("balkans")
def test_a_refusal_names_the_programs_currency() -> None:
    command = issue.IssueVoucher(
        voucher_id=uuid4(), case_id=uuid4(), participant_id=uuid4(), provider_id=None,
        region="rs_nis", services=frozenset({"consultation"}), amount=Decimal("0"),
        allows_partial=False, urgency=Urgency.ROUTINE, emblematic=False,
        valid_until=NOW + timedelta(days=30), issued_by=uuid4(), now=NOW,
        standard_cap=Decimal("300.00"),
    )  # fmt: skip
    with pytest.raises(Refused) as refused:
        issue.decide(command, Voucher())
    assert str(refused.value).endswith("amount must be greater than 0.00 EUR")


def test_the_event_schemas_say_the_programs_currency_not_a_fixed_one() -> None:
    schema = latest_model("voucher.issued").model_json_schema(mode="serialization")
    description = schema["properties"]["amount"]["description"]
    assert "program's currency" in description
    assert current_program().currency not in description


def test_the_redeemed_metric_s_unit_is_the_programs_currency() -> None:
    # Peru's name as it always was: its dashboards and alerts keep reading it.
    assert REDEEMED._name == f"pana_voucher_redeemed_{current_program().currency.lower()}"
    assert REDEEMED._name == "pana_voucher_redeemed_pen"
