"""A clinic's redemption and the indicator update it causes share one trace (spans captured)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from deploy.local.stack import create_databases
from services.indicators.app import IndicatorsSettings
from services.indicators.app import create_app as indicators_app
from services.vouchers.app import VouchersSettings
from services.vouchers.app import create_app as vouchers_app
from tests.support.infrastructure import KafkaEndpoint, PostgresEndpoint
from tests.support.roster import case_of, register
from tests.support.services import Keys, make_keys, serve
from tests.support.tracing import capture_spans

pytestmark = pytest.mark.e2e


@pytest.fixture
async def databases(postgres: PostgresEndpoint) -> tuple[str, str]:
    names = [f"t_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    await create_databases(postgres.server_url, names)
    return postgres.url(names[0]), postgres.url(names[1])


async def test_redemption_to_indicator_update_is_one_trace(
    databases: tuple[str, str],
    kafka: KafkaEndpoint,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    exporter = capture_spans()
    keys: Keys = make_keys(tmp_path / "auth")
    monkeypatch.setenv("PANA_AUTH_JWKS_PATH", str(keys.jwks_path))
    vouchers_settings = VouchersSettings(
        database_url=databases[0],
        **kafka.settings("vouchers"),
        roster_consumer=f"vouchers.trace-roster-{uuid.uuid4().hex[:6]}",
    )
    indicators_settings = IndicatorsSettings(
        database_url=databases[1],
        **kafka.settings("indicators"),
        consumer_prefix=f"indicators.trace-{uuid.uuid4().hex[:6]}",
    )
    async with (
        serve(lambda: vouchers_app(vouchers_settings), keys) as vouchers,
        serve(lambda: indicators_app(indicators_settings), keys) as indicators,
    ):
        admin = vouchers.client("administrator")
        provider = (
            await admin.post(
                "/providers",
                json={
                    "name": "Clínica Traza",
                    "region": "piura",
                    "kind": "clinic",
                    "services": ["consultation"],
                },
            )
        ).json()["provider_id"]
        caseworker = vouchers.client("caseworker", regions=["piura"])
        vouchers.app.state.test_cases_kafka = kafka.access("cases")
        participant = await register(vouchers, region="piura")
        voucher = (
            await caseworker.post(
                "/vouchers",
                json={
                    "case_id": case_of(participant),
                    "participant_id": participant,
                    "provider_id": provider,
                    "region": "piura",
                    "services": ["consultation"],
                    "amount": "90.00",
                    "valid_until": (datetime.now(UTC) + timedelta(days=9)).isoformat(),
                },
            )
        ).json()
        clinic = vouchers.client("clinic", provider_id=provider)
        redeemed = await clinic.post(
            "/redemptions",
            json={"code": voucher["code"], "amount": "90.00", "services": ["consultation"],
                  "receipt_number": "T-1"},
            headers={"Idempotency-Key": f"trace-{uuid.uuid4().hex}"},
        )  # fmt: skip
        assert redeemed.status_code == 201, redeemed.text
        position = redeemed.json()["position"]
        waited = await indicators.client("viewer").get(
            f"/positions/{position}", params={"timeout": 30}
        )
        assert waited.status_code == 200, waited.text

    spans = exporter.get_finished_spans()
    request = next(s for s in spans if s.name == "POST /redemptions" and s.parent is None)
    same_trace = [s for s in spans if s.context.trace_id == request.context.trace_id]
    names = {s.name for s in same_trace}
    assert "pana.vouchers.v1 publish" in names  # the relay continued the clinic's request
    assert "projection apply" in names  # and the indicators consumer continued the relay
