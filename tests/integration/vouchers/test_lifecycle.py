"""Approval, budgets, cancellation, expiry and reversal over real HTTP and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.vouchers.workers import expire_due
from tests.integration.vouchers.test_redemption import LATER, _clinic, _issue, _provider, _redeem
from tests.support.audit import audit_fetch
from tests.support.roster import case_of, register
from tests.support.services import RunningService

pytestmark = pytest.mark.integration


async def test_above_the_cap_needs_a_supervisor_before_a_clinic_can_redeem(
    vouchers: RunningService,
) -> None:
    provider = await _provider(vouchers)
    voucher = await _issue(vouchers, provider, amount="2500.00")
    assert voucher["requires_approval"] is True
    clinic = _clinic(vouchers, provider)
    key = {"Idempotency-Key": f"k-{uuid.uuid4()}"}
    early = await clinic.post("/redemptions", json=_redeem(voucher["code"], "100.00"), headers=key)
    assert early.json()["detail"]["rule"] == "awaiting_approval"
    caseworker = vouchers.client("caseworker", regions=["lima_callao"])
    denied = await caseworker.post(f"/vouchers/{voucher['voucher_id']}/approve")
    assert denied.status_code == 403
    supervisor = vouchers.client("supervisor", regions=["lima_callao"])
    approved = await supervisor.post(f"/vouchers/{voucher['voucher_id']}/approve")
    assert approved.status_code == 200, approved.text
    later = await clinic.post(
        "/redemptions", json=_redeem(voucher["code"], "100.00"),
        headers={"Idempotency-Key": f"k-{uuid.uuid4()}"},
    )  # fmt: skip
    assert later.status_code == 201, later.text


async def test_issuing_beyond_the_region_budget_is_refused(vouchers: RunningService) -> None:
    admin = vouchers.client("administrator")
    today = datetime.now(UTC).date()
    budget = await admin.put(
        f"/budgets/lima_callao/{today.replace(day=1).isoformat()}",
        json={"period_end": (today + timedelta(days=40)).isoformat(), "amount": "300.00"},
    )
    assert budget.status_code == 200, budget.text
    provider = await _provider(vouchers)
    await _issue(vouchers, provider, amount="200.00")
    caseworker = vouchers.client("caseworker", regions=["lima_callao"])
    participant = await register(vouchers)
    over = await caseworker.post(
        "/vouchers",
        json={"case_id": case_of(participant), "participant_id": participant,
              "provider_id": provider, "region": "lima_callao", "services": ["exams"],
              "amount": "100.01", "valid_until": LATER},
    )  # fmt: skip
    assert over.status_code == 409, over.text
    assert over.json()["detail"]["rule"] == "budget_exceeded"
    assert "100.00 PEN left" in over.json()["detail"]["message"]


async def test_vouchers_expire_by_themselves_and_are_then_refused(vouchers: RunningService) -> None:
    provider = await _provider(vouchers)
    voucher = await _issue(vouchers, provider)
    pool = vouchers.app.state.pool
    assert await expire_due(pool, datetime.now(UTC)) == 0  # not yet due
    assert await expire_due(pool, datetime.now(UTC) + timedelta(days=31)) >= 1
    staff = vouchers.client("caseworker", regions=["lima_callao"])
    assert (await staff.get(f"/vouchers/{voucher['voucher_id']}")).json()["status"] == "expired"
    events = await pool.fetchval(
        "SELECT count(*) FROM events WHERE stream_id = $1 AND event_type = 'voucher.expired'",
        voucher["voucher_id"],
    )
    assert events == 1
    assert await expire_due(pool, datetime.now(UTC) + timedelta(days=32)) == 0  # only once


async def test_caseworkers_act_only_in_their_regions(vouchers: RunningService) -> None:
    provider = await _provider(vouchers)
    voucher = await _issue(vouchers, provider)
    outsider = vouchers.client("caseworker", regions=["tumbes"])
    assert (await outsider.get(f"/vouchers/{voucher['voucher_id']}")).status_code == 403
    bad = await outsider.post(
        "/vouchers",
        json={"case_id": str(uuid.uuid4()), "participant_id": str(uuid.uuid4()),
              "provider_id": provider, "region": "lima_callao", "services": ["exams"],
              "amount": "10.00", "valid_until": LATER},
    )  # fmt: skip
    assert bad.status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "-5.00"}, "amount"),
        ({"amount": "12.345"}, "amount"),
        ({"services": []}, "services"),
        ({"region": "atlantis"}, "region"),
        ({"valid_until": "2030-01-01T00:00:00"}, "valid_until"),  # naive time
    ],
)
async def test_bad_input_gets_a_4xx_naming_the_field(
    vouchers: RunningService, body: dict[str, str], field: str
) -> None:
    caseworker = vouchers.client("caseworker", regions=["lima_callao"])
    base = {"case_id": str(uuid.uuid4()), "participant_id": str(uuid.uuid4()),
            "region": "lima_callao", "services": ["exams"], "amount": "10.00",
            "valid_until": LATER}  # fmt: skip
    answer = await caseworker.post("/vouchers", json={**base, **body})
    assert answer.status_code == 422
    assert field in answer.text


async def test_fraud_signals_flag_one_person_at_many_providers(vouchers: RunningService) -> None:
    participant = str(uuid.uuid4())
    for i in range(3):
        provider = await _provider(vouchers)
        voucher = await _issue(vouchers, provider, participant_id=participant)
        done = await _clinic(vouchers, provider).post(
            "/redemptions", json=_redeem(voucher["code"], "20.00", f"F-{i}"),
            headers={"Idempotency-Key": f"fraud-{i}-{uuid.uuid4().hex[:6]}"},
        )  # fmt: skip
        assert done.status_code == 201
    supervisor = vouchers.client("supervisor", regions=["lima_callao"])
    signals = (await supervisor.get("/fraud-signals")).json()
    assert participant in {s["participant_id"] for s in signals["many_providers_in_7_days"]}
    clinic = _clinic(vouchers, await _provider(vouchers))
    assert (await clinic.get("/fraud-signals")).status_code == 403


async def test_directory_and_budget_changes_are_audited(vouchers: RunningService) -> None:
    provider = await _provider(vouchers)
    admin = vouchers.client("administrator")
    answer = await admin.put(
        "/budgets/tumbes/2026-01-01", json={"period_end": "2026-12-31", "amount": "1000.00"}
    )
    assert answer.status_code == 200, answer.text
    rows = await audit_fetch(
        vouchers.app.state.pool,
        "SELECT action, resource_id, actor_role FROM audit_log ORDER BY sequence",
    )
    seen = {(r["action"], r["resource_id"], r["actor_role"]) for r in rows}
    assert ("directory.provider_added", provider, "administrator") in seen
    assert ("budget.set", "tumbes/2026-01-01", "administrator") in seen


async def test_the_provider_directory_is_read_only_by_case_teams_m_and_e_and_admin(
    vouchers: RunningService,
) -> None:
    added = await vouchers.client("administrator").post(
        "/providers",
        json={"name": "Clínica Directorio", "region": "piura", "kind": "clinic",
              "services": ["consultation"]},
    )  # fmt: skip
    assert added.status_code == 201, added.text
    readers = {"caseworker": {"regions": ["piura"]}, "supervisor": {"regions": ["tumbes"]},
               "me_officer": {}, "administrator": {}}  # fmt: skip
    others = {"viewer": {}, "clinic": {"provider_id": added.json()["provider_id"]},
              "receiving_service": {"unit_id": "cem-1"}}  # fmt: skip
    for role, claims in (readers | others).items():
        answer = await vouchers.client(role, **claims).get("/providers")
        assert answer.status_code == (200 if role in readers else 403), (role, answer.text)


async def test_periods_no_person_means_are_422_not_a_server_error(vouchers: RunningService) -> None:
    supervisor = vouchers.client("supervisor", regions=["lima_callao"])
    for query in ({"to": "0001-01-01T00:00:00"}, {"from": "1850-01-01T00:00:00Z"},
                  {"to": "9999-12-31T23:59:59Z"}):  # fmt: skip
        answer = await supervisor.get("/fraud-signals", params=query)
        assert answer.status_code == 422, (query, answer.text)
        assert answer.json()["detail"][0]["loc"][-1] in ("from", "to")

    admin = vouchers.client("administrator")
    budget = await admin.put(
        "/budgets/lima_callao/1850-01-01", json={"period_end": "2022-12-31", "amount": "100.00"}
    )
    assert budget.status_code == 422, budget.text
    assert budget.json()["detail"] == "period_start must not be before 1900-01-01"
