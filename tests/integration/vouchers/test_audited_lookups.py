"""Voucher lookups and reads are audited, found or not (issue 20, point 6); never the code."""

from __future__ import annotations

import pytest

from services.vouchers.code import new_code
from tests.integration.vouchers.test_redemption import _issue, _provider
from tests.support.audit import audit_fetch
from tests.support.services import RunningService

pytestmark = pytest.mark.integration


async def test_lookups_and_reads_are_audited(vouchers: RunningService) -> None:
    provider = await _provider(vouchers)
    voucher = await _issue(vouchers, provider)
    clinic = vouchers.client("clinic", provider_id=provider, sub="clinic-desk")
    assert (await clinic.post("/lookup", json={"code": voucher["code"]})).status_code == 200
    missing = await clinic.post("/lookup", json={"code": new_code()})  # valid, never issued
    assert missing.status_code == 404
    team = vouchers.client("caseworker", regions=["lima_callao"], sub="team-desk")
    assert (await team.get(f"/vouchers/{voucher['voucher_id']}")).status_code == 200
    records = await audit_fetch(
        vouchers.app.state.pool,
        "SELECT actor_subject, action, resource_id, outcome, purpose FROM audit_log"
        " WHERE actor_subject IN ('clinic-desk', 'team-desk') ORDER BY sequence",
    )
    found = [tuple(r)[:4] for r in records]
    assert found[0] == ("clinic-desk", "voucher.lookup", voucher["voucher_id"], "done")
    assert ("team-desk", "voucher.read", voucher["voucher_id"], "done") in found
    assert ("clinic-desk", "voucher.lookup", "-", "not_found") in found
    assert all(voucher["code"] not in str(tuple(r)) for r in records)


async def test_who_read_a_voucher(vouchers: RunningService) -> None:
    voucher = await _issue(vouchers, await _provider(vouchers))
    team = vouchers.client("caseworker", regions=["lima_callao"], sub="team-reader")
    assert (await team.get(f"/vouchers/{voucher['voucher_id']}")).status_code == 200
    query = {"resource_type": "voucher", "resource_id": voucher["voucher_id"]}
    answer = await vouchers.client("supervisor", regions=["lima_callao"]).get(
        "/audit", params=query
    )
    assert answer.status_code == 200, answer.text
    seen = {(r["actor_subject"], r["action"]) for r in answer.json()["records"]}
    assert ("team-reader", "voucher.read") in seen
    other = vouchers.client("supervisor", regions=["tumbes"])
    assert (await other.get("/audit", params=query)).status_code == 403
