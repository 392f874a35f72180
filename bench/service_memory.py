"""Resident memory of the cases and referrals services, at rest and under their own load.

Benchmark 5 asks for every service's memory; vouchers and indicators are measured where their
benchmarks load them (3, 4, 5b). Here cases and referrals run as processes on fresh databases
and the same Kafka, and `clients` concurrent caseworkers run the reliability suite's journeys
(register a participant, consent, open a case, deliver a service; request a referral that the
receiving unit accepts) for the measurement time, while RSS is sampled every 200 ms.
"""

from __future__ import annotations

import asyncio
import time
from typing import cast

from bench.memory import MemoryLog
from bench.plan import Plan
from bench.processes import ServiceProcess
from reliability.journeys import Clients
from reliability.load import prepare
from reliability.outcomes import Outcomes, Verdict
from reliability.stack import SystemUnderTest
from tests.support.services import Keys


class Running:
    """What the reliability journeys need of a system: URLs, tokens, databases."""

    def __init__(self, services: dict[str, ServiceProcess], databases: dict[str, str], keys: Keys):
        self.services, self.databases = services, databases
        self.headers = keys.headers

    def url(self, service: str) -> str:
        found = self.services.get(service)
        return found.url if found else "http://127.0.0.1:9"  # unused (vouchers, indicators)

    def database_url(self, service: str) -> str:
        return self.databases[service]


async def measure(
    services: dict[str, ServiceProcess],
    databases: dict[str, str],
    vouchers: ServiceProcess,
    keys: Keys,
    plan: Plan,
    memory: MemoryLog,
) -> str:
    """Sample RSS of cases and referrals under `plan.http_clients` journeys; a line of figures."""
    for name, service in services.items():
        memory.rest(name, service)
    system = Running({**services, "vouchers": vouchers}, databases, keys)
    outcomes = Outcomes()
    world = await prepare(cast(SystemUnderTest, system), outcomes, people=plan.http_clients)
    clients = [Clients(cast(SystemUnderTest, system), world, outcomes) for _ in range(16)]
    deadline = time.monotonic() + plan.seconds * 2

    async def client(each: Clients) -> None:
        while time.monotonic() < deadline:
            await each.case_journey()
            await each.referral_journey()

    what = f"{len(clients)} caseworkers: participant, consent, case, service; referral, accept"
    async with (
        memory.sampling("cases", services["cases"], what),
        memory.sampling("referrals", services["referrals"], what),
    ):
        await asyncio.gather(*(client(each) for each in clients))
    for each in clients:
        await each.aclose()
    accepted = len(outcomes.of(Verdict.ACCEPTED))
    return f"cases and referrals under load: {accepted} commands accepted, " + (
        f"{len(outcomes.items) - accepted} not"
    )
