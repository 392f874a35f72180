"""The steady load: `clients` concurrent clients running mixed journeys until told to stop."""

from __future__ import annotations

import asyncio
import time

import asyncpg
import httpx

from eventkit.positions import wait_for_events
from reliability.client import RetryingClient
from reliability.journeys import CASES_REGION, REFERRALS_REGION, Clients, World, person
from reliability.outcomes import Outcomes, Verdict
from reliability.stack import SystemUnderTest

REFERRALS_CONSENT_CONSUMER = "referrals.consent"
# What an administrator may change of the world's provider and unit (the hostile sequences do).
PROVIDER = {"name": "Clínica Confiable", "services": ["consultation", "exams", "medicines"]}
UNIT = {
    "name": "CEM Tumbes (reliability)",
    "handover_contact": {"office": "Admisión", "phone": "072 523 000"},
    "has_system_account": True,
}


async def _person_with_a_case(
    caseworker: RetryingClient, region: str
) -> tuple[str, str, list[str]]:
    """A participant of `region` who consented to services, with a case opened; and the
    positions of their registration and case (what the other services' copies wait for)."""
    registered = await caseworker.command("register participant", "/participants", person(region))
    participant = registered.body["participant_id"]
    given = await caseworker.command(
        "give consent", f"/participants/{participant}/consents", {"purposes": ["services"]}
    )
    assert given.verdict is Verdict.ACCEPTED, given
    opened = await caseworker.command("open case", "/cases", {
        "participant_id": participant, "case_type": "in_transit",
        "intake_channel": "admission_form", "region": region,
    })  # fmt: skip
    assert opened.verdict is Verdict.ACCEPTED, opened
    return participant, opened.body["case_id"], [
        registered.body["position"], opened.body["position"],
    ]  # fmt: skip


async def prepare(sut: SystemUnderTest, outcomes: Outcomes, people: int = 12) -> World:
    """A provider, a receiving unit, and `people` whose consent the referrals service holds."""

    def client(service: str, role: str, **claims: object) -> RetryingClient:
        return RetryingClient(sut.url(service), sut.headers(role, **claims), service, outcomes)

    vouchers_admin, referrals_admin = (
        client("vouchers", "administrator"),
        client("referrals", "administrator"),
    )
    staff = {region: client("cases", "caseworker", regions=[region])
             for region in (CASES_REGION, REFERRALS_REGION)}  # fmt: skip
    try:
        provider = await vouchers_admin.command("add provider", "/providers", {
            **PROVIDER, "region": "lima_callao", "kind": "clinic"})  # fmt: skip
        unit = await referrals_admin.command("add unit", "/units", {
            **UNIT, "destination": "CEM", "region": REFERRALS_REGION})  # fmt: skip
        assert provider.verdict is unit.verdict is Verdict.ACCEPTED, (provider, unit)
        world = World(provider_id=provider.body["provider_id"], unit_id=unit.body["unit_id"])
        positions: dict[str, list[str]] = {"referrals": [], "vouchers": []}
        consents: list[str] = []
        for _ in range(people):
            for region, service in ((REFERRALS_REGION, "referrals"), (CASES_REGION, "vouchers")):
                participant, case, made = await _person_with_a_case(staff[region], region)
                positions[service] += made
                if region == CASES_REGION:
                    world.patients.append((participant, case))
                    continue
                given = await staff[region].command(
                    "give consent", f"/participants/{participant}/consents",
                    {"purposes": ["referral_sharing"]},
                )  # fmt: skip
                assert given.verdict is Verdict.ACCEPTED, given
                world.consented.append(participant)
                world.cases[participant] = case
                consents.append(given.body["position"])
    finally:
        for c in (vouchers_admin, referrals_admin, *staff.values()):
            await c.aclose()
    # Until the services' copies heard of these people and cases (and the referrals' consent).
    for service, consumer, waited in (
        ("referrals", REFERRALS_CONSENT_CONSUMER, consents),
        ("referrals", "referrals.roster", positions["referrals"]),
        ("vouchers", "vouchers.roster", positions["vouchers"]),
    ):
        try:
            url = sut.database_url(service)
        except KeyError:  # a system without this service (the memory benchmark's)
            continue
        pool = await asyncpg.create_pool(url, min_size=1, max_size=2)
        try:
            await wait_for_events(pool, consumer, waited, within=60)
        finally:
            await pool.close()
    return world


async def restore(sut: SystemUnderTest, world: World) -> None:
    """Put the world's provider and unit back as `prepare` made them: an administrator's calls
    (the hostile sequences make them) may have renamed, narrowed or deactivated either."""
    async with httpx.AsyncClient(timeout=30) as client:
        for service, path, fields in (
            ("vouchers", f"/providers/{world.provider_id}", PROVIDER),
            ("referrals", f"/units/{world.unit_id}", UNIT),
        ):
            answer = await client.patch(
                sut.url(service) + path,
                json={**fields, "active": True},
                headers=sut.headers("administrator"),
            )
            assert answer.status_code == 200, (path, answer.status_code, answer.text)


class SteadyLoad:
    """Start with `start()`; `stop()` lets every client finish its journey, then returns."""

    def __init__(self, sut: SystemUnderTest, world: World, clients: int, outcomes: Outcomes):
        self.sut, self.world, self.size, self.outcomes = sut, world, clients, outcomes
        self._stopping = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self.journeys = 0
        self.started = self.stopped = 0.0

    def start(self) -> None:
        self.started = time.monotonic()
        self._tasks = [asyncio.create_task(self._client()) for _ in range(self.size)]

    async def stop(self) -> None:
        self._stopping.set()
        await asyncio.gather(*self._tasks)
        self.stopped = time.monotonic()

    async def _client(self) -> None:
        clients = Clients(self.sut, self.world, self.outcomes)
        try:
            while not self._stopping.is_set():
                await clients.any_journey()
                self.journeys += 1
        finally:
            await clients.aclose()
