"""The cases, referrals and vouchers services together, on the test's real PostgreSQL and Kafka:
referrals and vouchers learn who exists and where from the cases service's own events."""

from __future__ import annotations

import base64
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass
from pathlib import Path

import pytest

from deploy.local.stack import create_databases
from eventkit.positions import wait_for_events
from tests.support.infrastructure import KafkaEndpoint, PostgresEndpoint
from tests.support.services import Keys, RunningService, make_keys
from tests.support.writers import serve_writers


@dataclass
class System:
    cases: RunningService
    referrals: RunningService
    vouchers: RunningService

    async def known(self, *positions: str) -> None:
        """Wait until the referrals' and vouchers' copies applied these cases-service events."""
        for service in (self.referrals, self.vouchers):
            await _applied(service, service.app.state.settings.roster_consumer, positions)

    async def consented(self, *positions: str) -> None:
        """Wait until the referrals' consent copy applied these consent events."""
        consumer = self.referrals.app.state.settings.consent_consumer
        await _applied(self.referrals, consumer, positions)


async def _applied(service: RunningService, consumer: str, positions: Collection[str]) -> None:
    await wait_for_events(service.app.state.pool, consumer, positions, within=30)


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    return make_keys(Path(tmp_path_factory.mktemp("auth")))


@pytest.fixture(scope="module")
async def system(
    postgres: PostgresEndpoint, kafka: KafkaEndpoint, keys: Keys
) -> AsyncIterator[System]:
    """One system per test module (each test makes its own people)."""
    names = [f"t_across_{uuid.uuid4().hex[:8]}" for _ in range(3)]
    await create_databases(postgres.server_url, names)
    urls = [postgres.url(n) for n in names]
    tag = uuid.uuid4().hex[:8]
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PANA_AUTH_JWKS_PATH", str(keys.jwks_path))
        for key in ("MASTER_KEY", "BLIND_INDEX_KEY"):
            env.setenv(f"PANA_PERSONAL_DATA_{key}", base64.b64encode(os.urandom(32)).decode())
        async with contextlib.AsyncExitStack() as stack:
            cases, referrals, vouchers = await serve_writers(
                stack, kafka, keys, urls, f"across.{tag}"
            )
            yield System(cases, referrals, vouchers)
