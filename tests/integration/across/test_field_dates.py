"""Field dates end to end (issue 25): acts entered late over HTTP keep when they happened,
through Kafka into the indicators, which count them in their real month; a future date, a date
before what the act depends on, and a caseworker's late entry are refused naming the rule."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from deploy.local.stack import create_databases
from services.indicators import read_model
from services.indicators.app import IndicatorsSettings
from services.indicators.app import create_app as indicators_app
from services.indicators.logframe import load_directory
from services.vouchers.workers import expire_due
from tests.integration.across.conftest import System
from tests.support.infrastructure import KafkaEndpoint, PostgresEndpoint
from tests.support.services import Keys, RunningService, serve
from tests.support.waiting import until

pytestmark = pytest.mark.integration
LIMA = "lima_callao"
Y2 = load_directory()["pana_peru_y2_v1"]
NOW = datetime.now(UTC)
# Ten days before this month began: always last month, within the clinics' claim window (60 days)
# and past the late-entry delay (7 days), so every act below is a supervisor's late entry.
SERVED = (NOW.replace(day=1) - timedelta(days=10)).replace(hour=15, minute=0, second=0,
                                                           microsecond=0)  # fmt: skip


@pytest.fixture(scope="module")
async def indicators(
    system: System, postgres: PostgresEndpoint, kafka: KafkaEndpoint, keys: Keys
) -> AsyncIterator[RunningService]:
    """The indicators service on its own database, projecting the writers' topics."""
    name = f"t_fieldtime_{uuid.uuid4().hex[:8]}"
    await create_databases(postgres.server_url, [name])
    settings = IndicatorsSettings(
        database_url=postgres.url(name), **kafka.settings("indicators"),
        consumer_prefix=f"indicators.fieldtime-{uuid.uuid4().hex[:6]}",
    )  # fmt: skip
    async with serve(lambda: indicators_app(settings), keys) as service:
        yield service


def _at(moment: datetime) -> str:
    return moment.isoformat()


async def _ok(answer: httpx.Response, status: int = 201) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    return dict(answer.json())


def _refused(answer: httpx.Response, status: int, rule: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.json()["detail"]["rule"] == rule, answer.text


async def _person_and_case(system: System) -> tuple[str, str]:
    """A person registered, consenting and with a case, all entered late by a supervisor."""
    supervisor = system.cases.client("supervisor", regions=[LIMA])
    person = await _ok(await supervisor.post("/participants", json={
        "given_names": "Rosa", "family_names": f"Campo {uuid.uuid4().hex[:6]}", "sex": "woman",
        "birth_date": "1988-02-01", "nationality": "VEN", "region": LIMA,
        "occurred_at": _at(SERVED - timedelta(days=3)),
    }))  # fmt: skip
    pid = person["participant_id"]
    await _ok(await supervisor.post(f"/participants/{pid}/consents", json={
        "purposes": ["services"], "occurred_at": _at(SERVED - timedelta(days=3)),
    }))  # fmt: skip
    opening = {"participant_id": pid, "case_type": "gbv_protection",
               "intake_channel": "hotline", "region": LIMA}  # fmt: skip
    before = await supervisor.post("/cases", json={
        **opening, "occurred_at": _at(SERVED - timedelta(days=4)),
    })  # fmt: skip
    _refused(before, 422, "opened_before_registration")
    case = await _ok(await supervisor.post("/cases", json={
        **opening, "opened_at": _at(SERVED - timedelta(days=2)),
    }))  # fmt: skip
    await system.known(person["position"], case["position"])
    return pid, case["case_id"]


async def _acts(service: RunningService, participant_id: str) -> dict[str, datetime]:
    rows = await service.app.state.pool.fetch(
        f"SELECT indicator, occurred_at FROM {read_model.schema_of(Y2)}.acts"
        " WHERE participant_id = $1",
        participant_id,
    )
    return {row["indicator"]: row["occurred_at"] for row in rows}


async def test_late_entries_count_in_the_month_they_happened(
    system: System, indicators: RunningService
) -> None:
    pid, case_id = await _person_and_case(system)
    supervisor = system.cases.client("supervisor", regions=[LIMA])
    services = f"/cases/{case_id}/services"
    pap = {"service_type": "psychological_first_aid", "occurred_at": _at(SERVED)}
    future = {**pap, "occurred_at": _at(NOW + timedelta(days=1))}
    _refused(await supervisor.post(services, json=future), 422, "delivered_in_future")
    caseworker = system.cases.client("caseworker", regions=[LIMA])
    _refused(await caseworker.post(services, json=pap), 403, "late_entry_needs_supervisor")
    await _ok(await supervisor.post(services, json=pap))

    # A voucher issued the day before the care, valid until an hour after it: the expiry process
    # marks it expired, and the clinic that served in time and bills now is paid.
    admin = system.vouchers.client("administrator")
    provider = (await _ok(await admin.post("/providers", json={
        "name": "Clínica Fecha", "region": LIMA, "kind": "clinic", "services": ["consultation"],
    })))["provider_id"]  # fmt: skip
    issued = await _ok(await system.vouchers.client("supervisor", regions=[LIMA]).post(
        "/vouchers", json={
            "case_id": case_id, "participant_id": pid, "provider_id": provider, "region": LIMA,
            "services": ["consultation"], "amount": "80.00",
            "valid_until": _at(SERVED + timedelta(hours=1)),
            "occurred_at": _at(SERVED - timedelta(days=1)),
        },
    ))  # fmt: skip
    assert await expire_due(system.vouchers.app.state.pool, NOW) >= 1
    clinic = system.vouchers.client("clinic", provider_id=provider)
    claim = {"code": issued["code"], "amount": "80.00", "services": ["consultation"],
             "receipt_number": "F001-0042"}  # fmt: skip

    async def redeem(served: datetime) -> httpx.Response:
        key = {"Idempotency-Key": str(uuid.uuid4())}
        return await clinic.post("/redemptions", json={**claim, "occurred_at": _at(served)},
                                 headers=key)  # fmt: skip

    _refused(await redeem(SERVED - timedelta(days=2)), 422, "redeemed_before_issue")
    _refused(await redeem(SERVED + timedelta(hours=2)), 409, "expired")
    paid = await _ok(await redeem(SERVED))

    # The event holds when it happened; the store (the envelope's time) when it was recorded.
    stored = await system.vouchers.app.state.pool.fetchrow(
        "SELECT data->>'redeemed_at' AS redeemed_at, occurred_at AS recorded_at FROM events"
        " WHERE event_type = 'voucher.redeemed' AND data->>'redemption_id' = $1",
        paid["redemption_id"],
    )
    assert datetime.fromisoformat(stored["redeemed_at"]) == SERVED
    assert stored["recorded_at"] >= NOW - timedelta(minutes=1)

    # The indicators count each act at the moment it happened: last month, not this one.
    async def counted() -> bool:
        return {"OE2.2", "OE2.7"} <= set(await _acts(indicators, pid))

    await until(counted, within=60, what="the late acts reached the indicators")
    acts = await _acts(indicators, pid)
    assert acts["OE2.7"] == SERVED and acts["OE2.2"] == SERVED
    assert (acts["OE2.2"].year, acts["OE2.2"].month) != (NOW.year, NOW.month)
