"""Read-your-writes across services: `Pana-After` with the event id the cases service answered
makes referrals and vouchers wait, bounded, until their copy has applied it."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from eventkit.read_your_writes import AFTER_HEADER
from tests.integration.across.conftest import System, ok, person_with_a_case
from tests.support.waiting import until

pytestmark = pytest.mark.integration
LIMA = "lima_callao"
LATER = (datetime.now(UTC) + timedelta(days=30)).isoformat()


async def test_consent_then_referral_at_once_with_the_consent_s_position(system: System) -> None:
    cw = system.cases.client("caseworker", regions=[LIMA])
    unit = await ok(await system.referrals.client("administrator").post("/units", json={
        "name": f"CEM {uuid.uuid4().hex[:6]}", "destination": "CEM", "region": LIMA,
        "has_system_account": True, "handover_contact": {"office": "Admisión"},
    }))  # fmt: skip
    pool = system.referrals.app.state.pool
    async with pool.acquire() as holder:
        # The referrals service's copies are held back: their next batch waits on this lock.
        hold = holder.transaction()
        await hold.start()
        try:
            await holder.execute("LOCK TABLE processed_events IN SHARE MODE")
            person, consent, case = await person_with_a_case(cw, {
                "given_names": "Rosa", "family_names": "Prueba", "sex": "woman",
                "birth_date": "1991-02-01", "nationality": "VEN", "region": LIMA,
            }, "in_transit")  # fmt: skip
            pid = person["participant_id"]
            body = {
                "participant_id": pid, "case_id": case["case_id"], "unit_id": unit["unit_id"],
                "region": LIMA, "assistance_type": "psychosocial", "reason": "gbv_care",
                "urgency": "routine", "shared": {"preferred_contact_time": "morning"},
            }  # fmt: skip
            referrer = system.referrals.client("caseworker", regions=[LIMA])

            at_once = await referrer.post("/referrals", json=body)
            assert at_once.status_code == 409  # the copy does not know the person yet
            since = await holder.fetchval("SELECT clock_timestamp()")
            after = {AFTER_HEADER: f"{consent['position']},{case['position']}"}
            waiting = asyncio.create_task(referrer.post("/referrals", json=body, headers=after))
            await _until_waiting(pool, since)
            assert not waiting.done()
        finally:
            await hold.rollback()  # the copies go on
    referral = await waiting
    assert referral.status_code == 201, referral.text

    voucher = await system.vouchers.client("caseworker", regions=[LIMA]).post(
        "/vouchers",
        json={"participant_id": pid, "case_id": case["case_id"], "region": LIMA,
              "services": ["exams"], "amount": "20.00", "valid_until": LATER},
        headers={AFTER_HEADER: f"{person['position']},{case['position']}"},
    )  # fmt: skip
    assert voucher.status_code == 201, voucher.text


async def _until_waiting(pool: asyncpg.Pool, since: datetime) -> None:
    """Until a request polls for the named events (its query ran after `since`), bounded.
    Read outside the holding transaction: pg_stat_activity is a snapshot within one."""

    async def waiting() -> bool:
        return bool(
            await pool.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE query_start > $1"
                " AND query LIKE 'SELECT count(*) FROM processed_events WHERE consumer%'",
                since,
            )
        )

    await until(waiting, 30, "the request waits for the copies")


async def test_an_event_the_copy_never_gets_is_refused_after_the_bound(system: System) -> None:
    never = str(uuid.uuid4())
    system.vouchers.app.state.settings.read_your_writes_timeout_seconds = 0.5
    answer = await system.vouchers.client("caseworker", regions=[LIMA]).get(
        f"/vouchers/{uuid.uuid4()}", headers={AFTER_HEADER: never}
    )
    assert answer.status_code == 409
    assert answer.headers["retry-after"] == "1"
    assert answer.json()["detail"]["rule"] == "copy_behind"
    assert never in answer.json()["detail"]["message"]


async def test_a_malformed_header_is_a_4xx_saying_what_is_wrong(system: System) -> None:
    client = system.referrals.client("caseworker", regions=[LIMA])
    answer = await client.get("/referrals/overdue", headers={AFTER_HEADER: "not-an-id"})
    assert answer.status_code == 422
    assert "UUID" in answer.text
