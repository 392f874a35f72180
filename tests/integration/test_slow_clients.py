"""Slow and idle clients cannot take the slots a clinic needs (issue 20, point 8).

The attack as it was made: 260 connections that send a command's headers and one byte of its
body, and 260 anonymous `/positions?timeout=25` and `/stream` requests, each on its own real
socket to the services under uvicorn. While they are held, a clinic looks a voucher up and
redeems it, and M&E reads the figures.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from deploy.local.stack import create_databases
from eventkit.settings import ServiceSettings
from services.indicators.app import IndicatorsSettings
from services.indicators.app import create_app as indicators_app
from services.vouchers.app import VouchersSettings
from services.vouchers.app import create_app as vouchers_app
from tests.support.caught_up import SOURCE_TOPICS, indicators_consumers, start_at_end
from tests.support.infrastructure import KafkaEndpoint, PostgresEndpoint
from tests.support.roster import case_of, register
from tests.support.services import RunningService, make_keys, serve

pytestmark = pytest.mark.integration
ATTACKERS = 260  # more than the default 256 request slots
Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


@pytest.fixture
async def services(
    postgres: PostgresEndpoint, kafka: KafkaEndpoint, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[RunningService, RunningService]]:
    keys = make_keys(tmp_path_factory.mktemp("auth"))
    names = [f"t_slow_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    await create_databases(postgres.server_url, names)
    tag = uuid.uuid4().hex[:6]
    # The copies begin after what earlier modules wrote (no replay at start).
    await start_at_end(postgres.url(names[0]), [f"vouchers.slow-{tag}"], kafka.admin, SOURCE_TOPICS)
    await start_at_end(
        postgres.url(names[1]), indicators_consumers(f"indicators-slow-{tag}"), kafka.admin,
        SOURCE_TOPICS,
    )  # fmt: skip
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PANA_AUTH_JWKS_PATH", str(keys.jwks_path))
        env.setenv("PANA_PERSONAL_DATA_MASTER_KEY", base64.b64encode(os.urandom(32)).decode())
        vouchers = VouchersSettings(
            database_url=postgres.url(names[0]),
            **kafka.settings("vouchers"),
            roster_consumer=f"vouchers.slow-{tag}",
        )
        indicators = IndicatorsSettings(
            database_url=postgres.url(names[1]),
            **kafka.settings("indicators"),
            consumer_prefix=f"indicators-slow-{tag}",
        )
        async with (
            serve(lambda: vouchers_app(vouchers), keys) as v,
            serve(lambda: indicators_app(indicators), keys) as i,
        ):
            v.app.state.test_cases_kafka = kafka.access("cases")  # announces people (roster)
            yield v, i


async def _open(service: RunningService, request: bytes) -> Connection:
    where = urlsplit(service.url)
    reader, writer = await asyncio.open_connection(where.hostname, where.port)
    writer.write(request)
    await writer.drain()
    return reader, writer


def _slow_body(path: str, n: int) -> bytes:
    # A made-up token counts as none: every one of these is the same client, its address.
    return (
        f"POST {path} HTTP/1.1\r\nHost: pana\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer made-up-{n}\r\nContent-Length: 200\r\n\r\n{{"
    ).encode()


def _waiting(n: int) -> bytes:
    path = "/stream" if n % 2 else f"/positions/{uuid.uuid4()}?timeout=25"
    return f"GET {path} HTTP/1.1\r\nHost: pana\r\n\r\n".encode()


async def _status(connection: Connection) -> int:
    line = await connection[0].readline()
    return int(line.split()[1])


async def _answered(connections: list[Connection], within: float) -> list[int | None]:
    """Each connection's status, or None for those still held after `within` seconds."""

    async def one(connection: Connection) -> int | None:
        with contextlib.suppress(TimeoutError):
            return await asyncio.wait_for(_status(connection), within)
        return None

    return list(await asyncio.gather(*(one(c) for c in connections)))


async def test_a_clinic_gets_through_while_slow_bodies_and_idle_listeners_are_held(
    services: tuple[RunningService, RunningService],
) -> None:
    vouchers, indicators = services
    admin = vouchers.client("administrator")
    added = await admin.post(
        "/providers",
        json={"name": "Clínica Lenta", "region": "lima_callao", "kind": "clinic",
              "services": ["consultation"]},
    )  # fmt: skip
    provider_id = added.json()["provider_id"]
    person = await register(vouchers, region="lima_callao")  # known to the vouchers' copy
    issued = await vouchers.client("caseworker", regions=["lima_callao"]).post(
        "/vouchers",
        json={"case_id": case_of(person), "participant_id": person,
              "provider_id": provider_id, "region": "lima_callao", "services": ["consultation"],
              "amount": "50.00",
              "valid_until": (datetime.now(UTC) + timedelta(days=30)).isoformat()},
    )  # fmt: skip
    assert issued.status_code == 201, issued.text
    code = issued.json()["code"]

    slow = [await _open(vouchers, _slow_body("/redemptions", n)) for n in range(ATTACKERS)]
    idle = [await _open(indicators, _waiting(n)) for n in range(ATTACKERS)]
    try:
        # Those beyond their client's bound are refused at once; the others stay held.
        refused_slow = await _answered(slow, within=3)
        refused_idle = await _answered(idle, within=3)
        per_client = ServiceSettings()
        assert refused_slow.count(None) == per_client.max_bodies_per_client
        assert set(refused_slow) == {None, 429}
        # A held stream has answered 200 and goes on; a held long poll has not answered yet.
        held_idle = [s for s in refused_idle if s in (None, 200)]
        assert len(held_idle) == per_client.max_waiting_per_client
        assert set(refused_idle) - {None, 200} == {429}

        clinic = vouchers.client("clinic", provider_id=provider_id)
        looked_up = await clinic.post("/lookup", json={"code": code})
        redeemed = await clinic.post(
            "/redemptions",
            json={"code": code, "amount": "50.00", "services": ["consultation"],
                  "receipt_number": "B001-9"},
            headers={"Idempotency-Key": f"slow-{uuid.uuid4().hex[:8]}"},
        )  # fmt: skip
        figures = await indicators.client("me_officer").get("/attainment")
        listening = await indicators.client("viewer").get(f"/positions/{uuid.uuid4()}?timeout=0")
        assert (looked_up.status_code, redeemed.status_code) == (200, 201), redeemed.text
        assert figures.status_code == 200
        assert listening.status_code == 408  # a signed-in listener is its own client

        # The held bodies end with 408 once the body timeout passes, not when the client says.
        late = await _answered(
            [c for c, s in zip(slow, refused_slow, strict=True) if s is None], 20
        )
        assert set(late) == {408}
    finally:
        for _, writer in slow + idle:
            writer.close()
