"""A client pins the voucher version it read (`ETag` → `If-Match`) when it approves, cancels or
reverses: a voucher changed since is answered 409 with its current version, and nothing is done."""

from __future__ import annotations

import uuid

import pytest

from tests.integration.vouchers.test_redemption import _clinic, _issue, _provider, _redeem
from tests.support.services import RunningService

pytestmark = pytest.mark.integration


async def test_approve_and_cancel_at_a_version_that_moved_are_409_and_change_nothing(
    vouchers: RunningService,
) -> None:
    provider = await _provider(vouchers)
    voucher = await _issue(vouchers, provider, amount="2500.00")
    path = f"/vouchers/{voucher['voucher_id']}"
    supervisor = vouchers.client("supervisor", regions=["lima_callao"])
    read = await supervisor.get(path)
    assert read.headers["ETag"] == '"1"'
    approved = await supervisor.post(f"{path}/approve", headers={"If-Match": read.headers["ETag"]})
    assert approved.status_code == 200, approved.text
    assert approved.json()["version"] == 2
    caseworker = vouchers.client("caseworker", regions=["lima_callao"])
    stale = await caseworker.post(
        f"{path}/cancel", json={"reason": "no_longer_needed"}, headers={"If-Match": '"1"'}
    )
    assert stale.status_code == 409, stale.text
    assert stale.json()["current_version"] == 2
    after = await supervisor.get(path)
    assert (after.json()["status"], after.headers["ETag"]) == ("active", '"2"')
    cancelled = await caseworker.post(
        f"{path}/cancel", json={"reason": "no_longer_needed"}, headers={"If-Match": 'W/"2"'}
    )
    assert cancelled.status_code == 200, cancelled.text
    assert (await supervisor.get(path)).json()["status"] == "cancelled"


async def test_a_reversal_at_a_stale_version_is_409_and_a_malformed_if_match_422(
    vouchers: RunningService,
) -> None:
    provider = await _provider(vouchers)
    voucher = await _issue(vouchers, provider, allows_partial=True)
    clinic = _clinic(vouchers, provider)
    for receipt in ("B001-1", "B001-2"):
        redeemed = await clinic.post(
            "/redemptions", json=_redeem(voucher["code"], "10.00", receipt),
            headers={"Idempotency-Key": f"k-{uuid.uuid4()}"},
        )  # fmt: skip
        assert redeemed.status_code == 201, redeemed.text
    first = redeemed.json()["redemption_id"]
    path = f"/vouchers/{voucher['voucher_id']}/redemptions/{first}/reverse"
    admin = vouchers.client("administrator")
    stale = await admin.post(path, json={"reason": "billing_error"}, headers={"If-Match": '"2"'})
    assert stale.status_code == 409, stale.text
    assert stale.json()["current_version"] == 3
    malformed = await admin.post(path, json={"reason": "billing_error"}, headers={"If-Match": "x"})
    assert malformed.status_code == 422
    assert malformed.json()["detail"]["rule"] == "invalid_if_match"
    done = await admin.post(path, json={"reason": "billing_error"}, headers={"If-Match": '"3"'})
    assert done.status_code == 200, done.text
    assert done.json()["version"] == 4
