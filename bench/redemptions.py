"""Benchmark 3: voucher redemptions over HTTP, against a bare FastAPI endpoint with one insert.

The vouchers service runs as its own process (uvicorn, as `make up` runs it) with its relay
publishing to Kafka. Each load client is a clinic with its own token and keep-alive connection;
a redemption verifies the token, checks the idempotency key, reads the clinic's directory row and
the voucher, folds it, checks the rules, appends with the version it read and stores the answer.
The bare endpoint (`bench.bare_service`) gets the same JSON body and does one INSERT, on the same
server.
"""

from __future__ import annotations

import asyncio
import os
import pstats
import signal
import statistics
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx

from bench.diagnostics import (
    CpuSplit,
    SessionSampler,
    cpu_seconds,
    most_per_second,
    top_functions,
    top_packages,
)
from bench.figures import Figure, Samples, percentile
from bench.http_load import HttpConnection
from bench.load import run_async
from bench.memory import MemoryLog
from bench.plan import Plan
from bench.processes import ServiceProcess
from eventkit.kafka_access import KafkaAccess
from eventkit.positions import wait_for_events
from tests.support.peru import CaseType
from tests.support.roster import case_of, publish, registration
from tests.support.services import Keys
from tests.support.waiting import until

Machine = Callable[[], CpuSplit]
"""CPU time so far of this process (the load client), PostgreSQL and Kafka (`Servers.cpu`)."""

VOUCHERS_PER_CLIENT = 4
"""Each client spreads a round's redemptions over this many fresh vouchers. A voucher's stream
still grows to some 20 events by the end of a full-form round (6 s at about 400 redemptions/s
over 128 vouchers), all folded at each redemption: more than a real voucher ever holds."""


@dataclass
class Rounds:
    """Throughput and latency samples of one endpoint over the repeats."""

    rates: list[float] = field(default_factory=list)
    p50: list[float] = field(default_factory=list)
    p99: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    machine_ms: list[tuple[float, ...]] = field(default_factory=list)
    """CPU ms per request of the service, PostgreSQL, Kafka and the load client."""
    failures: int = 0

    def add(self, rate: float, latencies: list[float], cpu: tuple[float, ...]) -> None:
        self.rates.append(rate)
        self.p50.append(percentile(latencies, 0.50) * 1000)
        self.p99.append(percentile(latencies, 0.99) * 1000)
        self.cpu_ms.append(cpu[0] * 1000)
        if len(cpu) > 1:
            self.machine_ms.append(tuple(c * 1000 for c in cpu))

    def machine(self, baseline: float) -> str:
        """The CPU one request costs each process, and the rate that allows on the machine."""
        if not self.machine_ms:
            return "not measured"
        parts = [statistics.median(column) for column in zip(*self.machine_ms, strict=True)]
        total, cores = sum(parts), os.cpu_count() or 1
        most = most_per_second(total / 1000)
        names = ("the service", "PostgreSQL", "Kafka", "the load client")
        return (
            ", ".join(f"{name} {ms:.3f}" for name, ms in zip(names, parts, strict=True))
            + f" ms (all: {total:.3f} ms); with all {cores} cores busy and nothing waiting, at "
            f"most {most:,.0f} req/s ({most / baseline:.2f}x the bare endpoint's median)"
        )

    def latency(self) -> str:
        return (
            f"p50 {Samples('ms', tuple(self.p50)).summary()}, "
            f"p99 {Samples('ms', tuple(self.p99)).summary()}, "
            f"service CPU {Samples('ms', tuple(self.cpu_ms)).summary()} per request, "
            f"non-201 answers: {self.failures}"
        )


async def known_person(service: ServiceProcess) -> tuple[str, str]:
    """A participant and their case, announced on Kafka as the cases service does, once the
    vouchers service's copy of who exists has them (it refuses vouchers for unknown people)."""
    assert service.announcer is not None, "the vouchers process needs the cases principal"
    person = str(uuid.uuid4())
    ids = await publish(service.announcer, registration(person, case_type=CaseType.HEALTH))
    pool = await asyncpg.create_pool(service.env["PANA_DATABASE_URL"], min_size=1, max_size=1)
    try:
        await wait_for_events(pool, "vouchers.roster", list(ids), within=60)
    finally:
        await pool.close()
    return person, case_of(person)


async def issue_vouchers(service: ServiceProcess, keys: Keys, clients: int) -> list[list[str]]:
    """A provider per client and fresh vouchers for it; returns (provider, codes...) per client."""
    admin = keys.headers("administrator")
    caseworker = keys.headers("caseworker", regions=["lima_callao"])
    later = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    participant, case = await known_person(service)
    async with httpx.AsyncClient(base_url=service.url, timeout=60) as http:

        async def one_client() -> list[str]:
            provider = await http.post(
                "/providers",
                headers=admin,
                json={"name": "Clínica", "region": "lima_callao", "kind": "clinic",
                      "services": ["consultation", "exams", "medicines"]},
            )  # fmt: skip
            provider.raise_for_status()
            provider_id = str(provider.json()["provider_id"])
            codes = [provider_id]
            for _ in range(VOUCHERS_PER_CLIENT):
                issued = await http.post(
                    "/vouchers",
                    headers=caseworker,
                    json={"case_id": case, "participant_id": participant,
                          "provider_id": provider_id, "region": "lima_callao",
                          "services": ["consultation"], "amount": "300.00",
                          "allows_partial": True, "valid_until": later},
                )  # fmt: skip
                issued.raise_for_status()
                codes.append(str(issued.json()["code"]))
            return codes

        return list(await asyncio.gather(*(one_client() for _ in range(clients))))


def redemption_body(code: str, n: int) -> dict[str, object]:
    return {"code": code, "amount": "0.01", "services": ["consultation"],
            "receipt_number": f"B001-{n:06d}"}  # fmt: skip


async def _load(
    service: ServiceProcess,
    plan: Plan,
    request: Callable[[HttpConnection, int, int], Awaitable[int]],
    rounds: Rounds,
    machine: Machine | None,
) -> None:
    connections = [HttpConnection(service.url) for _ in range(plan.http_clients)]
    pid = service.pid
    await asyncio.gather(*(c.open() for c in connections))
    failures = 0

    async def operation(client: int, n: int) -> None:
        nonlocal failures
        if await request(connections[client], client, n) != 201:
            failures += 1

    def meter() -> tuple[float, ...]:
        if machine is None:
            return (cpu_seconds(pid),)
        other = machine()
        return cpu_seconds(pid), other.postgres, other.kafka, other.this_process

    try:
        rate, latencies, cpu = await run_async(
            plan.http_clients, operation, plan.seconds, plan.warmup, meter
        )
    finally:
        await asyncio.gather(*(c.close() for c in connections))
    rounds.add(rate, latencies, cpu)
    rounds.failures += failures


async def redemption_round(
    service: ServiceProcess,
    keys: Keys,
    plan: Plan,
    rounds: Rounds,
    before_load: Callable[[], None] = lambda: None,
    machine: Machine | None = None,
) -> None:
    clients = await issue_vouchers(service, keys, plan.http_clients)
    before_load()
    headers = [keys.headers("clinic", provider_id=c[0]) for c in clients]

    async def redeem(connection: HttpConnection, client: int, n: int) -> int:
        code = clients[client][1 + n % VOUCHERS_PER_CLIENT]
        key = {"Idempotency-Key": f"bench-{uuid.uuid4().hex}"}
        status, _ = await connection.post(
            "/redemptions", redemption_body(code, n), {**headers[client], **key}
        )
        return status

    await _load(service, plan, redeem, rounds, machine)


async def bare_round(bare: ServiceProcess, plan: Plan, rounds: Rounds, machine: Machine) -> None:
    async def insert(connection: HttpConnection, client: int, n: int) -> int:
        key = {"Idempotency-Key": f"bench-{uuid.uuid4().hex}"}
        status, _ = await connection.post("/redemptions", redemption_body("7K2M-9QXA-4TR", n), key)
        return status

    await _load(bare, plan, insert, rounds, machine)


ROUND_TRIPS = 8
"""PostgreSQL round trips of one redemption, in one transaction: BEGIN, the idempotency key, the
clinic's directory row with the voucher its code names and the voucher's events (one statement),
the append, the voucher's rows, the audit record, the stored answer and COMMIT. Counted in
PostgreSQL's statement log over 50 redemptions (there were 10 while the directory row and the
voucher's events were statements of their own)."""


async def round_trips_round(
    bare: ServiceProcess, plan: Plan, rounds: Rounds, machine: Machine
) -> None:
    """The bare endpoint making a redemption's round trips, one INSERT and trivial SELECTs."""
    path = f"/redemptions/round-trips/{ROUND_TRIPS - 3}"  # BEGIN, COMMIT, the pool's reset

    async def insert(connection: HttpConnection, client: int, n: int) -> int:
        status, _ = await connection.post(path, redemption_body("7K2M-9QXA-4TR", n), {})
        return status

    await _load(bare, plan, insert, rounds, machine)


def figure(
    plan: Plan, ours: Rounds, bare: Rounds, trips: Rounds, sessions: SessionSampler
) -> Figure:
    result = Samples("req/s", tuple(ours.rates))
    baseline = Samples("req/s", tuple(bare.rates))
    return Figure(
        benchmark="3. HTTP redemptions",
        measure=f"redemptions/s end to end, {plan.http_clients} keep-alive clients",
        ours=result,
        baseline=baseline,
        baseline_name="bare FastAPI endpoint, one INSERT",
        target=">= 0.5x",
        holds=result.median >= 0.5 * baseline.median and ours.failures == 0,
        notes=(
            f"redemptions: {ours.latency()}",
            f"bare endpoint: {bare.latency()}",
            f"CPU per redemption: {ours.machine(baseline.median)}",
            f"CPU per bare insert: {bare.machine(baseline.median)}",
            f"bare endpoint making a redemption's {ROUND_TRIPS} round trips to PostgreSQL "
            f"(trivial SELECTs and the INSERT, one transaction): "
            f"{Samples('req/s', tuple(trips.rates)).summary()} "
            f"({Samples('req/s', tuple(trips.rates)).median / baseline.median:.2f}x the bare "
            f"endpoint), {trips.latency()}",
            f"vouchers database sessions during redemptions: {sessions.summary()}",
        ),
    )


async def measure(
    vouchers: ServiceProcess,
    vouchers_url: str,
    bare: ServiceProcess,
    keys: Keys,
    plan: Plan,
    memory: MemoryLog,
    machine: Machine,
) -> Figure:
    """Alternate the two endpoints `plan.repeats` times (both services already running)."""
    ours, baseline, trips, sessions = Rounds(), Rounds(), Rounds(), SessionSampler()
    memory.rest("vouchers", vouchers)
    memory.rest("bare endpoint", bare)
    for _ in range(plan.repeats):
        async with (
            memory.sampling("vouchers", vouchers, "redemptions at full rate"),
            sessions.sampling(vouchers_url),
        ):
            await redemption_round(vouchers, keys, plan, ours, machine=machine)
        async with memory.sampling("bare endpoint", bare, "inserts at full rate"):
            await bare_round(bare, plan, baseline, machine)
        await round_trips_round(bare, plan, trips, machine)
    return figure(plan, ours, baseline, trips, sessions)


async def profile(
    env: dict[str, str], url: str, keys: Keys, plan: Plan, logs: Path,
    announcer: KafkaAccess | None,
) -> str:  # fmt: skip
    """One more redemption round against a vouchers replica running under cProfile."""
    stats_file = logs / "vouchers.prof"
    replica = ServiceProcess(
        "bench.profiled",
        {**env, "PANA_DATABASE_URL": url},
        logs / "vouchers-profiled.log",
        args=("services.vouchers", str(stats_file)),
        announcer=announcer,
    )
    replica.start()
    try:
        await redemption_round(
            replica, keys, plan, Rounds(), lambda: replica.signal(signal.SIGUSR1)
        )
        replica.signal(signal.SIGUSR2)
        await until(stats_file.exists, within=10)
    finally:
        replica.stop()
    stats = pstats.Stats(str(stats_file))
    return (
        f"CPU profile of the vouchers service during redemptions (cProfile, share of self "
        f"time) by package: {top_packages(stats)}; by function: {top_functions(stats, 6)}"
    )
