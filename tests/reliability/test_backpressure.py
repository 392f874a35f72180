"""A stalled PostgreSQL or Kafka (SIGSTOP: sockets open, no answers, the worst kind of slow):
services shed load with 503 + Retry-After, never hang or 500, and memory stays bounded; a Kafka
stall does not touch commands at all (the outbox absorbs it) and everything arrives afterwards.
A Kafka that stays slow (a client quota: publishing crawls) lets the outbox grow only up to its
bound: past it, commands are shed with 503 + Retry-After while reads are still served."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import asyncpg
import httpx
import pytest

from deploy.local.stack import database_url_for
from eventkit.outbox_pressure import OutboxPressure
from eventkit.schema import STORE_DDL, migrate
from reliability.journeys import CASES_REGION, World, voucher
from reliability.ledger import outbox_backlog, reconcile, settle
from reliability.profile import Profile
from reliability.quota import ProducerThrottle
from reliability.report import Report
from reliability.stack import SystemUnderTest
from tests.support.waiting import until

pytestmark = pytest.mark.e2e

BURST = 320  # more than a service's 256 in-flight slots
STALL_SECONDS = 8.0
MEMORY_GROWTH_LIMIT_KIB = 150 * 1024
BACKLOG_LIMIT = 150  # the vouchers service's PANA_OUTBOX_BACKLOG_LIMIT in the throttled test
PRODUCER_BYTE_RATE = 8 * 1024  # bytes/s for every producer: about ten voucher events a second
THROTTLED_CLIENTS = 8  # at least; the soak's clients when more
SHEDDING_WITHIN = 90.0  # the bound must be reached by then


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
                *(_timed(client, "/vouchers", voucher(world)) for _ in range(BURST))
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
        after = await client.post("/vouchers", json=voucher(world))
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
                answers.append(await _timed(client, "/vouchers", voucher(world)))
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


@dataclass
class _Pushed:
    """What clients pushing vouchers at a crawling Kafka got, and what the server held."""

    answers: list[tuple[int, float, str | None, str | None]] = field(default_factory=list)
    first_shed: float | None = None
    backlog_peak: int = 0
    resident_peak_kib: int = 0
    read_while_shedding: int | None = None

    def statuses(self) -> list[int]:
        return [status for status, _, _, _ in self.answers]


@pytest.fixture
async def crawling_kafka(system: SystemUnderTest) -> AsyncIterator[ProducerThrottle]:
    """Every producer throttled, and the vouchers service restarted with a small outbox bound
    (at once: both take seconds); both undone afterwards."""
    env = {"PANA_OUTBOX_BACKLOG_LIMIT": str(BACKLOG_LIMIT)}
    throttle = ProducerThrottle(system.kafka(), PRODUCER_BYTE_RATE)
    try:
        await asyncio.gather(
            asyncio.to_thread(system.restart_service, "vouchers", env),
            asyncio.to_thread(throttle.apply),
        )
        yield throttle
    finally:
        await asyncio.to_thread(throttle.lift)
        await asyncio.to_thread(system.restart_service, "vouchers")


async def _push_until_shed(
    system: SystemUnderTest, world: World, clients: int, shedding_seconds: float
) -> _Pushed:
    """`clients` issue vouchers back to back (retrying a 503 sooner than asked) until commands
    have been shed for `shedding_seconds`; the backlog and resident memory are sampled."""
    pushed, done = _Pushed(), asyncio.Event()
    headers = system.headers("caseworker", regions=[CASES_REGION])
    limits = httpx.Limits(max_connections=clients + 2)

    async def client(http: httpx.AsyncClient) -> None:
        while not done.is_set():
            started = time.monotonic()
            try:
                answer = await http.post("/vouchers", json=voucher(world))
            except httpx.TimeoutException:
                pushed.answers.append((0, time.monotonic() - started, None, None))
                continue
            status = answer.status_code
            position = answer.json().get("position") if status == 201 else None
            retry = answer.headers.get("Retry-After")
            pushed.answers.append((status, time.monotonic() - started, retry, position))
            if status == 503:
                pushed.first_shed = pushed.first_shed or time.monotonic()
                await asyncio.sleep(0.25)

    async def watch(http: httpx.AsyncClient, conn: asyncpg.Connection) -> None:
        started = time.monotonic()
        while not done.is_set():
            pushed.backlog_peak = max(
                pushed.backlog_peak, int(await conn.fetchval("SELECT count(*) FROM outbox"))
            )
            pushed.resident_peak_kib = max(
                pushed.resident_peak_kib, system.resident_kib("vouchers")
            )
            shed_for = time.monotonic() - (pushed.first_shed or time.monotonic())
            if pushed.read_while_shedding is None and shed_for > 1.0:
                pushed.read_while_shedding = (await http.get("/providers")).status_code
            if shed_for > shedding_seconds or time.monotonic() - started > SHEDDING_WITHIN:
                done.set()
            await asyncio.sleep(0.2)

    conn = await asyncpg.connect(system.database_url("vouchers"))
    try:
        async with httpx.AsyncClient(
            base_url=system.url("vouchers"), headers=headers, timeout=30, limits=limits
        ) as http:
            await asyncio.gather(watch(http, conn), *(client(http) for _ in range(clients)))
    finally:
        await conn.close()
    return pushed


async def test_a_throttled_kafka_sheds_commands_past_the_outbox_bound_and_loses_nothing(
    system: SystemUnderTest,
    world: World,
    profile: Profile,
    report: Report,
    crawling_kafka: ProducerThrottle,
) -> None:
    clients = max(THROTTLED_CLIENTS, profile.clients)
    before = system.resident_kib("vouchers")
    try:
        pushed = await _push_until_shed(system, world, clients, profile.shedding_seconds)
    finally:
        await asyncio.to_thread(crawling_kafka.lift)
    statuses = pushed.statuses()
    assert pushed.first_shed is not None, (
        f"no command shed in {SHEDDING_WITHIN:.0f} s (outbox peak {pushed.backlog_peak})"
    )
    assert 0 not in statuses, "a command hung"
    assert set(statuses) == {201, 503}, sorted(set(statuses))
    assert all(retry for status, _, retry, _ in pushed.answers if status == 503), "no Retry-After"
    assert pushed.backlog_peak <= 2 * BACKLOG_LIMIT, pushed.backlog_peak
    assert pushed.read_while_shedding == 200
    growth = pushed.resident_peak_kib - before
    assert growth < MEMORY_GROWTH_LIMIT_KIB

    accepted = {str(p): "vouchers" for status, _, _, p in pushed.answers if status == 201 and p}
    result = await reconcile(system, accepted)  # waits until the relays have caught up
    assert result.lost == 0 and result.outbox_left == 0, result
    # The bound is sampled, so a command right after the drain may still be shed once: retried
    # as clients are asked to (same Idempotency-Key, after Retry-After), it is accepted.
    drained, key, body = time.monotonic(), f"rel-{uuid.uuid4()}", voucher(world)
    async with httpx.AsyncClient(
        base_url=system.url("vouchers"),
        headers=system.headers("caseworker", regions=[CASES_REGION]),
        timeout=30,
    ) as client:
        while True:
            after = await client.post("/vouchers", json=body, headers={"Idempotency-Key": key})
            if after.status_code != 503 or time.monotonic() - drained > 20:
                break
            await asyncio.sleep(float(after.headers["Retry-After"]))
    readmitted = time.monotonic() - drained
    assert after.status_code == 201, after.text

    shed = [seconds for status, seconds, _, _ in pushed.answers if status == 503]
    section = report.section("Back-pressure: Kafka throttled")
    section.line(
        f"A client quota on the broker (`producer_byte_rate={PRODUCER_BYTE_RATE}` for every "
        f"client id, set with kafka-configs) makes the relays' publishing crawl while "
        f"{clients} clients issue vouchers back to back. The vouchers service runs with "
        f"`PANA_OUTBOX_BACKLOG_LIMIT={BACKLOG_LIMIT}` (`eventkit.outbox_pressure`): past that "
        "many outbox rows it sheds commands, reads still served. Clients push on for "
        f"{profile.shedding_seconds:.0f} s after the first 503, then the quota is lifted."
    )
    section.figure("commands accepted (201)", statuses.count(201))
    section.figure("commands shed (503 with Retry-After)", len(shed))
    section.figure("slowest 503 (s)", f"{max(shed):.2f}")
    section.figure("hangs / 500s", 0)
    section.figure("outbox peak (rows; bound)", f"{pushed.backlog_peak}; {BACKLOG_LIMIT}")
    section.figure("read (GET /providers) while shedding", pushed.read_while_shedding)
    section.figure("resident memory growth (MiB)", f"{growth / 1024:.1f}")
    section.figure("accepted commands lost after the quota was lifted", result.lost)
    section.figure(
        "first command once drained (s until accepted)", f"{after.status_code} ({readmitted:.1f})"
    )


async def test_the_outbox_sampler_turns_over_the_bound_and_back(system: SystemUnderTest) -> None:
    """The sampler alone, on a scratch database of the system's server: over the bound once the
    outbox holds `limit` rows, a count that stops at the bound, back under once drained."""
    name = f"pressure_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(database_url_for(system.stack.server_url, "postgres"))
    await admin.execute(f'CREATE DATABASE "{name}"')
    pool = await asyncpg.create_pool(
        database_url_for(system.stack.server_url, name), min_size=1, max_size=2
    )
    pressure = OutboxPressure(pool, limit=5, interval=0.05)
    try:
        await migrate(pool, STORE_DDL)

        async def commit(rows: int) -> None:
            await pool.execute(
                """
                WITH e AS (
                    INSERT INTO events (event_id, stream_id, stream_version, event_type,
                                        schema_version, data, occurred_at)
                    SELECT gen_random_uuid(), gen_random_uuid()::text, 1, 'x', 1, '{}', now()
                    FROM generate_series(1, $1)
                    RETURNING position
                )
                INSERT INTO outbox SELECT position FROM e
                """,
                rows,
            )

        task = asyncio.create_task(pressure.run())

        async def sampled(backlog: int, over: bool) -> bool:
            return pressure.backlog == backlog and pressure.over_limit is over

        await commit(4)
        await until(lambda: sampled(4, False), 10, "4 rows sampled, under the bound of 5")
        await commit(20)
        await until(lambda: sampled(5, True), 10, "over the bound, the count stops at 5")
        await pool.execute("DELETE FROM outbox")
        await until(lambda: sampled(0, False), 10, "back under the bound once drained")
        pressure.stop()
        await asyncio.wait_for(task, 5)
    finally:
        pressure.stop()
        await pool.close()
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()
