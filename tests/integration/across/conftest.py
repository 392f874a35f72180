"""The cases, referrals and vouchers services together, on the test's real PostgreSQL and Kafka:
referrals and vouchers learn who exists and where from the cases service's own events."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from deploy.local.stack import create_databases
from eventkit.positions import wait_for_events
from tests.support.infrastructure import KafkaEndpoint, PostgresEndpoint
from tests.support.services import Keys, RunningService, service_environment
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


async def ok(answer: httpx.Response) -> dict[str, Any]:
    """The body of a 2xx answer (anything else fails the test with the body)."""
    assert answer.status_code < 300, answer.text
    return dict(answer.json())


async def person_with_a_case(
    caseworker: httpx.AsyncClient, person: dict[str, Any], case_type: str
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Register `person`, record consent to services and referral sharing, open a case of
    `case_type` in the person's region: the three answers (person, consent, case). Waiting for
    the other services' copies is the caller's."""
    registered = await ok(await caseworker.post("/participants", json=person))
    pid = registered["participant_id"]
    consent = await ok(await caseworker.post(f"/participants/{pid}/consents", json={
        "purposes": ["services", "referral_sharing"],
    }))  # fmt: skip
    case = await ok(await caseworker.post("/cases", json={
        "participant_id": pid, "case_type": case_type, "intake_channel": "hotline",
        "region": person["region"],
    }))  # fmt: skip
    return registered, consent, case


async def _applied(service: RunningService, consumer: str, positions: Collection[str]) -> None:
    await wait_for_events(service.app.state.pool, consumer, positions, within=30)


@pytest.fixture(scope="module")
async def system(
    postgres: PostgresEndpoint, kafka: KafkaEndpoint, keys: Keys
) -> AsyncIterator[System]:
    """One system per test module (each test makes its own people)."""
    names = [f"t_across_{uuid.uuid4().hex[:8]}" for _ in range(3)]
    await create_databases(postgres.server_url, names)
    urls = [postgres.url(n) for n in names]
    tag = uuid.uuid4().hex[:8]
    with service_environment(keys):
        async with contextlib.AsyncExitStack() as stack:
            cases, referrals, vouchers = await serve_writers(
                stack, kafka, keys, urls, f"across.{tag}"
            )
            yield System(cases, referrals, vouchers)
