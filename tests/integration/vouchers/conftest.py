"""A running vouchers service on the test's real PostgreSQL and Kafka."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from services.vouchers.app import VouchersSettings, create_app
from tests.support.caught_up import SOURCE_TOPICS, start_at_end
from tests.support.infrastructure import KafkaEndpoint
from tests.support.services import Keys, RunningService, serve


@pytest.fixture
async def vouchers(
    database: str, kafka: KafkaEndpoint, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[RunningService]:
    monkeypatch.setenv("PANA_AUTH_JWKS_PATH", str(keys.jwks_path))
    roster = f"vouchers.roster.{uuid.uuid4().hex[:8]}"
    await start_at_end(database, [roster], kafka.admin, SOURCE_TOPICS)  # not the session's history
    settings = VouchersSettings(
        database_url=database,
        **kafka.settings("vouchers"),
        expiry_interval_seconds=3600,
        roster_consumer=roster,
    )
    async with serve(lambda: create_app(settings), keys) as running:
        running.app.state.test_cases_kafka = kafka.access("cases")  # announces people (roster)
        yield running
