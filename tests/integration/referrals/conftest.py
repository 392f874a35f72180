"""A running referrals service on the test's real PostgreSQL and Kafka, with a test clock."""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from services.referrals.app import ReferralsSettings, create_app
from tests.support.caught_up import SOURCE_TOPICS, start_at_end
from tests.support.infrastructure import KafkaEndpoint
from tests.support.services import Keys, RunningService, serve


class ManualClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def _fresh_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


@pytest.fixture
async def referrals(
    database: str,
    kafka: KafkaEndpoint,
    keys: Keys,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[RunningService]:
    monkeypatch.setenv("PANA_AUTH_JWKS_PATH", str(keys.jwks_path))
    monkeypatch.setenv("PANA_PERSONAL_DATA_MASTER_KEY", _fresh_key())
    monkeypatch.setenv("PANA_PERSONAL_DATA_BLIND_INDEX_KEY", _fresh_key())
    copies = [
        f"referrals.consent.{uuid.uuid4().hex[:8]}",
        f"referrals.roster.{uuid.uuid4().hex[:8]}",
    ]
    await start_at_end(database, copies, kafka.admin, SOURCE_TOPICS)  # not the session's history
    settings = ReferralsSettings(
        database_url=database,
        **kafka.settings("referrals"),
        overdue_interval_seconds=3600,  # the tests wake the worker after moving the clock
        consent_consumer=copies[0],
        roster_consumer=copies[1],
        metrics_min_cell=1,
    )
    async with serve(lambda: create_app(settings, clock), keys) as running:
        # The tests publish participants' consent as the cases service would: as its principal.
        running.app.state.test_cases_kafka = kafka.access("cases")
        yield running
