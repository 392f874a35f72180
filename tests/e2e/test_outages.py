"""During a PostgreSQL outage a service answers 503 with Retry-After at once, and recovers."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import pytest

from deploy.local.postgres import PostgresServer
from deploy.local.processes import free_port
from services.vouchers.app import VouchersSettings, create_app
from tests.support.infrastructure import KafkaEndpoint
from tests.support.roster import case_of, register
from tests.support.services import make_keys, serve

pytestmark = pytest.mark.e2e


@pytest.fixture
async def own_postgres(state_root: Path) -> AsyncIterator[PostgresServer]:
    server = PostgresServer(state_root / f"pg-outage-{uuid.uuid4().hex[:6]}", free_port(), False)
    server.start()
    conn = await asyncpg.connect(server.dsn())
    await conn.execute("CREATE DATABASE vouchers")
    await conn.close()
    yield server
    server.stop()


def _voucher(participant: str) -> dict[str, object]:
    return {
        "case_id": case_of(participant),
        "participant_id": participant,
        "region": "tumbes",
        "services": ["medicines"],
        "amount": "20.00",
        "valid_until": (datetime.now(UTC) + timedelta(days=3)).isoformat(),
    }


async def test_database_outage_gives_503_with_retry_after_then_recovers(
    own_postgres: PostgresServer,
    kafka: KafkaEndpoint,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    keys = make_keys(tmp_path / "auth")
    monkeypatch.setenv("PANA_AUTH_JWKS_PATH", str(keys.jwks_path))
    settings = VouchersSettings(
        database_url=own_postgres.dsn("vouchers"),
        **kafka.settings("vouchers"),
        roster_consumer=f"vouchers.outage-roster-{uuid.uuid4().hex[:6]}",
        database_command_timeout_seconds=3,
    )
    async with serve(lambda: create_app(settings), keys) as vouchers:
        caseworker = vouchers.client("caseworker", regions=["tumbes"])
        vouchers.app.state.test_cases_kafka = kafka.access("cases")
        person = await register(vouchers, region="tumbes")
        assert (await caseworker.post("/vouchers", json=_voucher(person))).status_code == 201

        own_postgres.stop()
        started = time.monotonic()
        during = await caseworker.post("/vouchers", json=_voucher(person))
        assert during.status_code == 503, during.text
        assert during.headers["Retry-After"]
        assert "database" in during.json()["detail"]
        assert time.monotonic() - started < 10  # an answer, not a hang
        async with httpx.AsyncClient(base_url=vouchers.url) as probe:
            ready = await probe.get("/readyz")
        assert ready.status_code == 503
        assert "database" in ready.json()["reason"]

        own_postgres.start()
        for _ in range(100):
            after = await caseworker.post("/vouchers", json=_voucher(person))
            if after.status_code != 503:
                break
            await asyncio.sleep(0.1)  # retrying as a client would, bounded
        assert after.status_code == 201, after.text
        count = await vouchers.app.state.pool.fetchval("SELECT count(*) FROM vouchers")
        assert count == 2  # nothing lost, nothing half-written


async def test_a_slow_database_sheds_excess_load_with_503(
    own_postgres: PostgresServer,
    kafka: KafkaEndpoint,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    keys = make_keys(tmp_path / "auth")
    monkeypatch.setenv("PANA_AUTH_JWKS_PATH", str(keys.jwks_path))
    settings = VouchersSettings(
        database_url=own_postgres.dsn("vouchers"),
        **kafka.settings("vouchers"),
        roster_consumer=f"vouchers.outage-roster-{uuid.uuid4().hex[:6]}",
        max_in_flight_requests=2,
        database_command_timeout_seconds=120,  # the held requests wait on the test's lock
    )
    async with serve(lambda: create_app(settings), keys) as vouchers:
        caseworker = vouchers.client("caseworker", regions=["tumbes"])
        vouchers.app.state.test_cases_kafka = kafka.access("cases")
        person = await register(vouchers, region="tumbes")
        # Open the pool's connections first, so the held requests go straight to the lock.
        warm = [caseworker.post("/vouchers", json=_voucher(person)) for _ in range(2)]
        assert [r.status_code for r in await asyncio.gather(*warm)] == [201, 201]
        blocker = await asyncpg.connect(own_postgres.dsn("vouchers"))
        tx = blocker.transaction()
        await tx.start()
        await blocker.execute("LOCK TABLE budgets IN ACCESS EXCLUSIVE MODE")  # PostgreSQL stalls
        slow = [
            asyncio.create_task(caseworker.post("/vouchers", json=_voucher(person)))
            for _ in range(2)
        ]
        waiting = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        for _ in range(600):  # until both slots are held by requests waiting on the lock
            if await blocker.fetchval(waiting) >= 2:
                break
            await asyncio.sleep(0.05)
        assert await blocker.fetchval(waiting) >= 2, "the two requests never reached the lock"
        shed = await caseworker.post("/vouchers", json=_voucher(person))
        assert shed.status_code == 503
        assert shed.headers["Retry-After"] == "1"
        await tx.rollback()
        await blocker.close()
        assert [r.status_code for r in await asyncio.gather(*slow)] == [201, 201]
