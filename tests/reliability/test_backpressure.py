"""A stalled PostgreSQL or Kafka (SIGSTOP: sockets open, no answers, the worst kind of slow):
services shed load with 503 + Retry-After, never hang or 500, and memory stays bounded; a Kafka
stall does not touch commands at all (the outbox absorbs it) and everything arrives afterwards."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from reliability.journeys import CASES_REGION, World, voucher
from reliability.ledger import outbox_backlog, settle
from reliability.report import Report
from reliability.stack import SystemUnderTest

pytestmark = pytest.mark.e2e

BURST = 320  # more than a service's 256 in-flight slots
STALL_SECONDS = 8.0
MEMORY_GROWTH_LIMIT_KIB = 150 * 1024


async def _timed(
    client: httpx.AsyncClient, path: str, body: dict[str, object]
) -> tuple[int, float, str | None]:
    started = time.monotonic()
    try:
        answer = await client.post(path, json=body)
    except httpx.TimeoutException:
        return 0, time.monotonic() - started, None
    return answer.status_code, time.monotonic() - started, answer.headers.get("Retry-After")


async def test_a_stalled_database_sheds_load_with_503_and_memory_stays_bounded(
    system: SystemUnderTest, world: World, report: Report
) -> None:
    limits = httpx.Limits(max_connections=BURST + 10)
    headers = system.headers("caseworker", regions=[CASES_REGION])
    async with httpx.AsyncClient(
        base_url=system.url("vouchers"), headers=headers, timeout=30, limits=limits
    ) as client:
        before = system.resident_kib("vouchers")
        with system.frozen("postgres"):
            answers = await asyncio.gather(
                *(_timed(client, "/vouchers", voucher(world.provider_id)) for _ in range(BURST))
            )
            peak = system.resident_kib("vouchers")
            async with httpx.AsyncClient(base_url=system.url("vouchers"), timeout=10) as probe:
                ready = await probe.get("/readyz")
        statuses = [s for s, _, _ in answers]
        assert 0 not in statuses, "a request hung"
        assert set(statuses) == {503}, sorted(set(statuses))
        assert all(retry for _, _, retry in answers), "a 503 without Retry-After"
        assert ready.status_code == 503 and "database" in ready.json()["reason"]
        assert peak - before < MEMORY_GROWTH_LIMIT_KIB
        await asyncio.to_thread(system.stack.wait_ready, ["vouchers"], 60)
        after = await client.post("/vouchers", json=voucher(world.provider_id))
        assert after.status_code == 201, after.text

    at_once = sum(1 for _, seconds, _ in answers if seconds < 1.0)
    section = report.section("Back-pressure: PostgreSQL stalled")
    section.line(
        f"PostgreSQL frozen (SIGSTOP of its process group) while {BURST} issue-voucher commands "
        "arrive at once at the vouchers service (256 in-flight slots, 10 s database timeout)."
    )
    section.figure("answers 503 with Retry-After", statuses.count(503))
    section.figure("of them within 1 s (shed at capacity)", at_once)
    section.figure("slowest answer (s)", f"{max(s for _, s, _ in answers):.1f}")
    section.figure("hangs / 500s", 0)
    section.figure("/readyz during the stall", ready.status_code)
    section.figure("resident memory growth (MiB)", f"{(peak - before) / 1024:.1f}")
    section.figure("first command after the stall", after.status_code)


async def test_a_stalled_kafka_does_not_touch_commands_and_nothing_is_lost(
    system: SystemUnderTest, world: World, report: Report
) -> None:
    headers = system.headers("caseworker", regions=[CASES_REGION])
    async with httpx.AsyncClient(
        base_url=system.url("vouchers"), headers=headers, timeout=30
    ) as client:
        await settle(system, within=60)
        with system.frozen("kafka"):
            started = time.monotonic()
            answers = []
            while time.monotonic() - started < STALL_SECONDS:
                answers.append(await _timed(client, "/vouchers", voucher(world.provider_id)))
            backlog = await outbox_backlog(system)
            async with httpx.AsyncClient(base_url=system.url("vouchers"), timeout=10) as probe:
                probe_started = time.monotonic()
                ready = await probe.get("/readyz")
                probe_seconds = time.monotonic() - probe_started
        statuses = [s for s, _, _ in answers]
        assert set(statuses) == {201}, sorted(set(statuses))
        assert max(s for _, s, _ in answers) < 5.0
        assert ready.status_code == 503 and "kafka" in ready.json()["reason"]
        assert probe_seconds < 5.0
        assert backlog > 0
        await settle(system, within=90)
        assert await outbox_backlog(system) == 0

    section = report.section("Back-pressure: Kafka stalled")
    section.line(
        f"The broker frozen (SIGSTOP) for {STALL_SECONDS:.0f} s while one client issues vouchers "
        "back to back. Commands need only PostgreSQL: they are accepted, the outbox holds the "
        "events, and the relay publishes them once the broker answers again."
    )
    section.figure("commands accepted during the stall", statuses.count(201))
    section.figure("slowest command (s)", f"{max(s for _, s, _ in answers):.2f}")
    section.figure("outbox rows waiting at the end of the stall", backlog)
    section.figure("/readyz during the stall", f"{ready.status_code} in {probe_seconds:.1f} s")
    section.figure("outbox rows after recovery (all published and projected)", 0)
