"""Deadlines with a controllable clock: the worker marks overdue referrals by itself; they are
listed for follow-up; time to answer per destination type and region."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.referrals.conftest import ManualClock
from tests.integration.referrals.flows import add_unit, refer
from tests.support.services import RunningService
from tests.support.waiting import until

pytestmark = pytest.mark.integration


async def test_an_unanswered_referral_becomes_overdue_by_itself(
    referrals: RunningService, clock: ManualClock
) -> None:
    cem = await add_unit(referrals, "CEM Tumbes")
    urgent = await refer(referrals, cem, urgency="urgent")  # CEM urgent: 24 h
    routine = await refer(referrals, cem)  # CEM routine: 72 h
    caseworker = referrals.client("caseworker", regions=["tumbes"])
    worker = referrals.app.state.overdue
    pool = referrals.app.state.pool

    async def overdue() -> list[str]:
        answer = await caseworker.get("/referrals/overdue", params={"region": "tumbes"})
        return [r["referral_id"] for r in answer.json()]

    clock.advance(hours=23)
    rounds = worker.rounds
    worker.wake()
    await until(lambda: _after(worker, rounds), 10)
    assert await overdue() == []

    clock.advance(hours=2)
    worker.wake()
    await until(lambda: _has(overdue, [urgent["referral_id"]]), 10)
    data = await pool.fetchval("SELECT data FROM events WHERE event_type = 'referral.overdue'")
    assert data["referral_id"] == urgent["referral_id"]

    unit = referrals.client("receiving_service", org="mimp", unit_id=cem)
    late = await unit.post(f"/units/{cem}/referrals/{urgent['referral_id']}/accept")
    assert late.status_code == 200  # a late answer still counts, and ends the follow-up
    clock.advance(hours=48)
    worker.wake()
    await until(lambda: _has(overdue, [routine["referral_id"]]), 10)
    assert (
        await pool.fetchval("SELECT count(*) FROM events WHERE event_type = 'referral.overdue'")
        == 2
    )


async def _after(worker: Any, rounds: int) -> bool:
    return bool(worker.rounds > rounds)


async def _has(overdue: Any, expected: list[str]) -> bool:
    return bool(await overdue() == expected)


async def test_time_to_answer_per_destination_type_and_region(
    referrals: RunningService, clock: ManualClock
) -> None:
    cem = await add_unit(referrals, "CEM Tumbes")
    sis = await add_unit(referrals, "UDR SIS Piura", destination="SIS", region="piura")
    as_cem = referrals.client("receiving_service", org="mimp", unit_id=cem)
    fast, slow = await refer(referrals, cem), await refer(referrals, cem)
    await refer(referrals, sis, region="piura", reason="health_insurance_affiliation",
                shared={"document_type": "dni", "document_number": "12345678"})  # fmt: skip
    clock.advance(hours=2)
    await as_cem.post(f"/units/{cem}/referrals/{fast['referral_id']}/accept")
    clock.advance(hours=4)
    await as_cem.post(f"/units/{cem}/referrals/{slow['referral_id']}/reject",
                      json={"reason": "out_of_scope"})  # fmt: skip

    viewer = referrals.client("me_officer")  # exact figures (viewers: test_metrics_disclosure)
    answer = await viewer.get("/metrics/time-to-answer")
    assert answer.status_code == 200, answer.text
    cells = {(c["destination"], c["region"]): c for c in answer.json()["cells"]}
    cem_cell = cells[("CEM", "tumbes")]
    assert (cem_cell["requested"], cem_cell["answered"], cem_cell["waiting"]) == (2, 2, 0)
    assert cem_cell["median_hours"] == pytest.approx(4.0, abs=0.1)
    assert cem_cell["mean_hours"] == pytest.approx(4.0, abs=0.1)
    sis_cell = cells[("SIS", "piura")]
    assert (sis_cell["answered"], sis_cell["waiting"], sis_cell["median_hours"]) == (0, 1, None)

    referrals.app.state.settings.metrics_min_cell = 2
    small = await viewer.get("/metrics/time-to-answer")
    cells = {(c["destination"], c["region"]): c for c in small.json()["cells"]}
    assert cells[("SIS", "piura")] == {
        "destination": "SIS", "region": "piura", "requested": "<2", "suppressed": True,
    }  # fmt: skip
    caseworker = referrals.client("caseworker", regions=["tumbes"])
    assert (await caseworker.get("/metrics/time-to-answer")).status_code == 403
