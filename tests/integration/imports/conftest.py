"""The three writing services and the indicators on the test's PostgreSQL and Kafka, the
directories the demo year names, and the imports' own database: one system for the package.

Starting it (five databases, four services, the directories) is most of a module's time, so the
modules share it. Each test asserts what it adds (figures over a baseline, events over a count
taken before it, its own references), never a total the others could change."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import httpx
import pytest

from deploy.demo.files import provider_name, unit_name
from deploy.demo.plan import DESTINATIONS, REGIONS
from deploy.imports.sending import Sender, Signer
from deploy.imports.store import JobStore, open_pool
from deploy.local.stack import create_databases
from tests.support.infrastructure import KafkaEndpoint, PostgresEndpoint
from tests.support.services import Keys, RunningService, service_environment
from tests.support.writers import serve_from_now


@dataclass
class ImportSystem:
    cases: RunningService
    referrals: RunningService
    vouchers: RunningService
    indicators: RunningService
    keys: Keys
    imports_url: str
    store: JobStore

    def sender(self, subject: str = "import:m&e") -> Sender:
        signer = Signer(self.keys.key_path, subject, "ngo", list(REGIONS))
        urls = {
            "cases": self.cases.url,
            "referrals": self.referrals.url,
            "vouchers": self.vouchers.url,
        }
        return Sender(urls, signer, concurrency=8)


@pytest.fixture(scope="package")
async def system(
    postgres: PostgresEndpoint, kafka: KafkaEndpoint, keys: Keys
) -> AsyncIterator[ImportSystem]:
    names = [f"t_imports_{uuid.uuid4().hex[:8]}" for _ in range(5)]  # the last: the jobs
    await create_databases(postgres.server_url, names)
    urls = [postgres.url(n) for n in names]
    tag = uuid.uuid4().hex[:8]
    with service_environment(keys):
        async with contextlib.AsyncExitStack() as stack:
            # the figures and rosters are this package's (no replay of the session's history)
            cases, referrals, vouchers, indicators = await serve_from_now(
                stack, kafka, keys, urls, f"imports.{tag}"
            )
            await _directories(referrals, vouchers, keys)
            pool = await open_pool(urls[4])
            stack.push_async_callback(pool.close)
            yield ImportSystem(
                cases, referrals, vouchers, indicators, keys, urls[4], JobStore(pool)
            )


async def _directories(referrals: RunningService, vouchers: RunningService, keys: Keys) -> None:
    """The units and clinics the demo year's files name, in every region (an administrator)."""
    admin = keys.headers("administrator")
    async with httpx.AsyncClient(headers=admin, timeout=30) as client:
        for region in REGIONS:
            for destination in DESTINATIONS:
                added = await client.post(
                    f"{referrals.url}/units",
                    json={
                        "name": unit_name(region, destination),
                        "destination": destination,
                        "region": region,
                        "has_system_account": True,
                        "handover_contact": {"office": f"Admisión {destination}"},
                    },
                )
                assert added.status_code == 201, added.text
            added = await client.post(
                f"{vouchers.url}/providers",
                json={
                    "name": provider_name(region),
                    "region": region,
                    "kind": "clinic",
                    "services": ["consultation", "exams", "medicines"],
                },
            )
            assert added.status_code == 201, added.text


async def event_counts(url: str) -> dict[str, int]:
    """Events by type in a service's store: what an import wrote."""
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT event_type, count(*) AS n FROM events GROUP BY 1")
    finally:
        await conn.close()
    return {r["event_type"]: r["n"] for r in rows}
