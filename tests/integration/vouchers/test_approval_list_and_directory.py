"""The supervisor's list of vouchers awaiting approval, and an administrator changing a provider's
entry in the directory, over real HTTP and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.integration.vouchers.test_redemption import _issue, _provider
from tests.support.audit import audit_fetch
from tests.support.services import RunningService

pytestmark = pytest.mark.integration


async def test_a_supervisor_lists_the_regions_vouchers_awaiting_approval_without_codes(
    vouchers: RunningService,
) -> None:
    provider = await _provider(vouchers)
    above = await _issue(vouchers, provider, amount="2500.00")
    below = await _issue(vouchers, provider, amount="100.00")
    supervisor = vouchers.client("supervisor", regions=["lima_callao"])
    listed = await supervisor.get("/approvals")
    assert listed.status_code == 200, listed.text
    found = {v["voucher_id"]: v for v in listed.json()["vouchers"]}
    assert above["voucher_id"] in found and below["voucher_id"] not in found
    entry = found[above["voucher_id"]]
    assert entry["amount"] == "2500.00" and entry["provider_name"] == "Clínica Uno"
    assert "code" not in entry  # a bearer secret: never in a list
    assert (await supervisor.post(f"/vouchers/{above['voucher_id']}/approve")).status_code == 200
    after = (await supervisor.get("/approvals", params={"region": "lima_callao"})).json()
    assert above["voucher_id"] not in {v["voucher_id"] for v in after["vouchers"]}
    records = await _audited(vouchers, "voucher.list_awaiting")
    assert records[-2:] == ["lima_callao", "lima_callao"]


async def test_only_a_supervisor_of_the_region_lists_its_pending_vouchers(
    vouchers: RunningService,
) -> None:
    elsewhere = vouchers.client("supervisor", regions=["tumbes"])
    assert (await elsewhere.get("/approvals", params={"region": "lima_callao"})).status_code == 403
    caseworker = vouchers.client("caseworker", regions=["lima_callao"])
    assert (await caseworker.get("/approvals")).status_code == 403


async def test_an_administrator_changes_a_providers_entry_and_it_is_audited(
    vouchers: RunningService,
) -> None:
    provider = await _provider(vouchers)
    admin = vouchers.client("administrator")
    changed = await admin.patch(
        f"/providers/{provider}", json={"name": "Clínica Uno Sur", "services": ["exams"]}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["services"] == ["exams"] and changed.json()["kind"] == "clinic"
    paused = await admin.patch(f"/providers/{provider}", json={"active": False})
    assert paused.json()["name"] == "Clínica Uno Sur" and paused.json()["active"] is False
    listed = {p["provider_id"]: p for p in (await admin.get("/providers")).json()}
    assert listed[provider]["active"] is False
    assert (
        await admin.patch(f"/providers/{provider}", json={"region": "tumbes"})
    ).status_code == 422
    missing = await admin.patch("/providers/00000000-0000-4000-8000-000000000000", json={})
    assert missing.status_code == 404
    supervisor = vouchers.client("supervisor", regions=["lima_callao"])
    assert (await supervisor.patch(f"/providers/{provider}", json={})).status_code == 403
    assert (await _audited(vouchers, "directory.provider_changed")).count(provider) == 2


async def _audited(vouchers: RunningService, action: str) -> list[str]:
    rows = await audit_fetch(
        vouchers.app.state.pool,
        "SELECT resource_id FROM audit_log WHERE action = $1 ORDER BY sequence",
        action,
    )
    return [row["resource_id"] for row in rows]
