"""A voucher's province through the running vouchers service: stored in the issue and repeated
on its redemption when inside the voucher's region, a clear 422 when the program has no such
province or it lies elsewhere."""

from __future__ import annotations

import uuid

import pytest

from tests.integration.vouchers.test_redemption import LATER, _clinic, _issue, _provider, _redeem
from tests.support.roster import case_of, register
from tests.support.services import RunningService

pytestmark = pytest.mark.integration


async def test_a_province_is_stored_repeated_or_refused_with_a_clear_422(
    vouchers: RunningService,
) -> None:
    provider = await _provider(vouchers)
    voucher = await _issue(vouchers, provider, admin2="callao_callao")
    redeemed = await _clinic(vouchers, provider).post(
        "/redemptions", json=_redeem(voucher["code"], "50.00"),
        headers={"Idempotency-Key": f"k-{uuid.uuid4()}"},
    )  # fmt: skip
    assert redeemed.status_code == 201, redeemed.text

    caseworker = vouchers.client("caseworker", regions=["lima_callao"])
    participant = await register(vouchers)
    body = {"case_id": case_of(participant), "participant_id": participant,
            "provider_id": provider, "region": "lima_callao", "services": ["exams"],
            "amount": "50.00", "valid_until": LATER}  # fmt: skip
    unknown = await caseworker.post("/vouchers", json={**body, "admin2": "atlantis"})
    elsewhere = await caseworker.post("/vouchers", json={**body, "admin2": "piura_paita"})

    assert unknown.status_code == 422
    (error,) = unknown.json()["detail"]
    assert error["loc"][-1] == "admin2" and "unknown admin2 code 'atlantis'" in error["msg"]
    assert elsewhere.status_code == 422
    assert elsewhere.json()["detail"]["rule"] == "admin2_outside_region"
    stored = await vouchers.app.state.pool.fetch(
        "SELECT event_type, data->>'admin2' AS admin2 FROM events WHERE stream_id = $1"
        " ORDER BY position",
        voucher["voucher_id"],
    )
    assert [(r["event_type"], r["admin2"]) for r in stored] == [
        ("voucher.issued", "callao_callao"),
        ("voucher.redeemed", "callao_callao"),
    ]
