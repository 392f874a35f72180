"""Break-glass: time-limited access outside a supervisor's regions, with a reason, audited."""

from __future__ import annotations

import pytest

from tests.integration.vouchers.test_redemption import _issue, _provider
from tests.support.audit import audit_fetch
from tests.support.services import RunningService

pytestmark = pytest.mark.integration
REASON = "Covering the Lima team: two caseworkers are out sick this week"


async def test_a_grant_opens_another_region_until_it_expires(vouchers: RunningService) -> None:
    voucher = await _issue(vouchers, await _provider(vouchers))
    tumbes_supervisor = vouchers.client("supervisor", regions=["tumbes"])
    path = f"/vouchers/{voucher['voucher_id']}"
    assert (await tumbes_supervisor.get(path)).status_code == 403

    opened = await tumbes_supervisor.post(
        "/break-glass", json={"region": "lima_callao", "reason": REASON, "minutes": 30}
    )
    assert opened.status_code == 201, opened.text
    assert (await tumbes_supervisor.get(path)).status_code == 200

    pool = vouchers.app.state.pool
    audit = await audit_fetch(pool, "SELECT action, purpose FROM audit_log ORDER BY sequence")
    assert any(a["action"] == "break_glass.open" and REASON in a["purpose"] for a in audit)
    assert any(a["action"] == "break_glass.use" for a in audit)

    # Time passes: the grant expires by itself (moved into the past by the test's "clock").
    await pool.execute("UPDATE break_glass_grants SET expires_at = now() - interval '1 second'")
    assert (await tumbes_supervisor.get(path)).status_code == 403


async def test_only_supervisors_with_a_written_reason_break_the_glass(
    vouchers: RunningService,
) -> None:
    caseworker = vouchers.client("caseworker", regions=["tumbes"])
    denied = await caseworker.post("/break-glass", json={"region": "lima_callao", "reason": REASON})
    assert denied.status_code == 403
    supervisor = vouchers.client("supervisor", regions=["tumbes"])
    short = await supervisor.post(
        "/break-glass", json={"region": "lima_callao", "reason": "urgent"}
    )
    assert short.status_code == 422
    assert "reason" in short.text
    too_long = await supervisor.post(
        "/break-glass", json={"region": "lima_callao", "reason": REASON, "minutes": 600}
    )
    assert too_long.status_code == 422
