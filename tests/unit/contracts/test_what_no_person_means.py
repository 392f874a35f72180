"""Input no person means is refused with the field named: ancient or far-future dates, names of
only spaces, `true` as an age or a count, amounts in other scripts' digits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from contracts.scalars import Money, PlausibleDateTime
from services.cases import acts_requests as ar
from services.cases import case_requests as cr
from services.cases import participant_requests as pr
from services.referrals import requests as rr
from services.vouchers import requests as vr

SOON = (datetime.now(UTC) + timedelta(days=30)).isoformat()
FAR = (datetime.now(UTC) + timedelta(days=3660)).isoformat()


def _example(model: type[BaseModel]) -> dict[str, Any]:
    return dict(model.model_json_schema()["examples"][0])


CASES: list[tuple[type[BaseModel], dict[str, Any], str]] = [
    (pr.RegisterRequest, {"given_names": "   "}, "given_names"),
    (pr.RegisterRequest, {"family_names": "\u3000\u200b"}, "family_names"),
    (pr.RegisterRequest, {"given_names": "..."}, "given_names"),
    (pr.RegisterRequest, {"birth_date": None, "estimated_age_years": True}, "estimated_age_years"),
    (pr.RegisterRequest, {"birth_date": None, "estimated_age_years": "30"}, "estimated_age_years"),
    (pr.CorrectRequest, {"given_names": "\t\n"}, "given_names"),
    (pr.CorrectRequest, {"birth_date": None, "estimated_age_years": True}, "estimated_age_years"),
    (cr.NoteRequest, {"text": "   \u200b "}, "text"),
    (cr.DeliverRequest, {"quantity": True}, "quantity"),
    (cr.DeliverRequest, {"cost": "\u0661\u0665\u0660.00"}, "cost"),
    (cr.DeliverRequest, {"cost": "\uff11\uff15\uff10.00"}, "cost"),  # fullwidth digits
    (cr.DeliverRequest, {"delivered_at": "1899-12-31T23:00:00Z"}, "delivered_at"),
    (cr.DeliverRequest, {"delivered_at": FAR}, "delivered_at"),
    (cr.ComplaintRequest, {"filed_at": "0001-01-01T00:00:00Z"}, "filed_at"),
    (cr.OpenCaseRequest, {"opened_at": "9999-12-31T00:00:00Z"}, "opened_at"),
    (ar.StageRequest, {"score": True}, "score"),
    (ar.StageRequest, {"passed": "yes"}, "passed"),
    (ar.ReachRequest, {"reached_at": "1850-01-01T00:00:00Z"}, "reached_at"),
    (vr.IssueRequest, {"amount": "\u0661\u0665\u0660.00"}, "amount"),
    (vr.IssueRequest, {"amount": " 150.00"}, "amount"),
    (vr.IssueRequest, {"valid_until": FAR}, "valid_until"),
    (vr.IssueRequest, {"allows_partial": 1}, "allows_partial"),
    (vr.RedeemRequest, {"amount": "\u0968\u0966.00"}, "amount"),  # Devanagari
    (vr.ProviderRequest, {"name": "      "}, "name"),
    (vr.BudgetRequest, {"period_end": "1800-01-01"}, "period_end"),
    (rr.UnitRequest, {"has_system_account": "true"}, "has_system_account"),
    (rr.RecordedAccept, {"evidence": {"answerer_role": "focal_point", "channel": "phone",
                                      "answered_at": "1800-01-01T00:00:00Z"}}, "evidence"),
]  # fmt: skip


@pytest.mark.parametrize(("model", "change", "field"), CASES)
def test_refused_naming_the_field(
    model: type[BaseModel], change: dict[str, Any], field: str
) -> None:
    body = _example(model) | change
    with pytest.raises(ValidationError) as refused:
        model.model_validate(body)
    assert field in {str(error["loc"][0]) for error in refused.value.errors()}


MODELS: list[type[BaseModel]] = sorted({c[0] for c in CASES}, key=lambda m: m.__name__)


@pytest.mark.parametrize("model", MODELS)
def test_every_example_still_passes(model: type[BaseModel]) -> None:
    model.model_validate(_example(model))


def test_what_people_do_write_is_accepted() -> None:
    money = TypeAdapter(Money)
    assert [str(money.validate_python(v)) for v in ("150", "150.5", 150, "0.99")] == [
        "150.00", "150.50", "150.00", "0.99",
    ]  # fmt: skip
    instant = TypeAdapter(PlausibleDateTime)
    assert instant.validate_python("1900-01-01T00:00:00Z").year == 1900
    assert instant.validate_python(SOON) > datetime.now(UTC)
    named = pr.RegisterRequest.model_validate(
        _example(pr.RegisterRequest) | {"given_names": "Ñ", "family_names": "D'Souza-Pérez"}
    )
    assert named.given_names == "Ñ"
    aged = _example(pr.RegisterRequest) | {"birth_date": None, "estimated_age_years": 30}
    assert pr.RegisterRequest.model_validate(aged).estimated_age_years == 30
