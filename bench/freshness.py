"""Benchmark 4: how soon a redemption shows in the indicators API, under sustained load.

Clinics redeem vouchers in a closed loop at a steady, moderate rate (a few clients, well below
the service's maximum). For a sample of the 201s (see `WATCHERS`) the benchmark asks the
indicators service `GET /positions/{event id}` (it answers once the projection applied that
event, polling its read model every 20 ms) and records the time from the HTTP response to that
answer: commit, relay, Kafka, consumer batch, read model commit. A bare consumer in this process
also notes when each event reached Kafka, which splits the delay in two.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from dataclasses import dataclass

import httpx
import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition

from bench.figures import Figure, Samples, percentile
from bench.http_load import HttpConnection
from bench.memory import MemoryLog
from bench.plan import Plan
from bench.processes import ServiceProcess
from bench.redemptions import VOUCHERS_PER_CLIENT, issue_vouchers, redemption_body
from contracts.topics import VOUCHERS
from eventkit.kafka_access import KafkaAccess
from tests.support.services import Keys
from tests.support.waiting import until

CLIENTS = 4
WATCHERS = 4
"""At most this many redemptions are followed at once: each follower long-polls the indicators
service, which queries its database every 20 ms, so following all of them would load the very
service being measured. The others are redeemed (the load) but not timed."""


@dataclass(frozen=True)
class Delay:
    """One redemption's way to the dashboard, in seconds from its HTTP response."""

    visible: float
    on_kafka: float


class KafkaArrivals:
    """When each event id reached the vouchers topic, seen by a bare consumer in this process."""

    def __init__(self, bootstrap: KafkaAccess) -> None:
        self.bootstrap = bootstrap
        self.seen: dict[str, float] = {}
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        consumer = AIOKafkaConsumer(**self.bootstrap.options(), fetch_max_wait_ms=50)
        await consumer.start()
        partitions = [TopicPartition(VOUCHERS.name, p) for p in range(VOUCHERS.partitions)]
        consumer.assign(partitions)
        await consumer.seek_to_end(*partitions)
        self._task = asyncio.create_task(self._read(consumer))

    async def _read(self, consumer: AIOKafkaConsumer) -> None:
        try:
            while True:
                batch = await consumer.getmany(timeout_ms=100)
                now = time.perf_counter()
                for records in batch.values():
                    for record in records:
                        ids = [v for k, v in record.headers or () if k == "ce_id"]
                        if ids:
                            self.seen[ids[0].decode()] = now
        finally:
            await consumer.stop()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def arrival(self, event_id: str) -> float:
        await until(lambda: event_id in self.seen, within=30)
        return self.seen[event_id]


async def _visible(
    indicators: httpx.AsyncClient, arrivals: KafkaArrivals, event_id: str, answered: float
) -> Delay:
    reply = await indicators.get(f"/positions/{event_id}", params={"timeout": 30})
    if reply.status_code != 200:
        raise RuntimeError(f"event {event_id} not visible in the indicators API in 30 s")
    visible = time.perf_counter() - answered
    return Delay(visible, await arrivals.arrival(event_id) - answered)


async def catch_up(vouchers: ServiceProcess, indicators: ServiceProcess, keys: Keys) -> None:
    """One redemption seen end to end: the projection has read everything before it."""
    clients = await issue_vouchers(vouchers, keys, 1)
    headers = keys.headers("clinic", provider_id=clients[0][0])
    async with httpx.AsyncClient(base_url=vouchers.url, timeout=30) as http:
        reply = await http.post(
            "/redemptions",
            json=redemption_body(clients[0][1], 0),
            headers={**headers, "Idempotency-Key": f"bench-{uuid.uuid4().hex}"},
        )
        reply.raise_for_status()
    async with httpx.AsyncClient(base_url=indicators.url, timeout=200) as http:
        seen = await http.get(f"/positions/{reply.json()['position']}", params={"timeout": 30})
        for _ in range(5):
            if seen.status_code == 200:
                return
            seen = await http.get(f"/positions/{reply.json()['position']}", params={"timeout": 30})
    raise TimeoutError("the indicators service did not catch up with the vouchers topic")


async def measure_round(
    vouchers: ServiceProcess,
    indicators: ServiceProcess,
    arrivals: KafkaArrivals,
    keys: Keys,
    seconds: float,
) -> tuple[list[Delay], float]:
    """Sustain redemptions for `seconds`; return each one's delay (s) and the rate achieved."""
    clients = await issue_vouchers(vouchers, keys, CLIENTS)
    headers = [keys.headers("clinic", provider_id=c[0]) for c in clients]
    connections = [HttpConnection(vouchers.url) for _ in range(CLIENTS)]
    await asyncio.gather(*(c.open() for c in connections))
    watchers: list[asyncio.Task[Delay]] = []
    redeemed: list[float] = []
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=indicators.url, timeout=60, limits=limits) as http:
        deadline = time.perf_counter() + seconds

        async def clinic(i: int) -> None:
            n = 0
            while time.perf_counter() < deadline:
                code = clients[i][1 + n % VOUCHERS_PER_CLIENT]
                key = {"Idempotency-Key": f"bench-{uuid.uuid4().hex}"}
                status, body = await connections[i].post(
                    "/redemptions", redemption_body(code, n), {**headers[i], **key}
                )
                answered = time.perf_counter()
                if status != 201:
                    raise RuntimeError(f"redemption answered {status}: {body[:300]!r}")
                redeemed.append(answered)
                if sum(not w.done() for w in watchers) < WATCHERS:
                    event_id = orjson.loads(body)["position"]
                    follow = _visible(http, arrivals, event_id, answered)
                    watchers.append(asyncio.create_task(follow))
                n += 1

        started = time.perf_counter()
        await asyncio.gather(*(clinic(i) for i in range(CLIENTS)))
        rate = len(redeemed) / (time.perf_counter() - started)
        delays = list(await asyncio.gather(*watchers))
    await asyncio.gather(*(c.close() for c in connections))
    return delays, rate


async def measure(
    vouchers: ServiceProcess,
    indicators: ServiceProcess,
    bootstrap: KafkaAccess,
    keys: Keys,
    plan: Plan,
    memory: MemoryLog,
) -> Figure:
    await catch_up(vouchers, indicators, keys)
    memory.rest("indicators", indicators)
    p50: list[float] = []
    p99: list[float] = []
    kafka_p50: list[float] = []
    kafka_p99: list[float] = []
    rates: list[float] = []
    followed: list[float] = []
    arrivals = KafkaArrivals(bootstrap)
    await arrivals.start()
    try:
        for _ in range(plan.repeats):
            async with memory.sampling("indicators", indicators, "projecting redemptions"):
                delays, rate = await measure_round(
                    vouchers, indicators, arrivals, keys, plan.freshness_seconds
                )
            followed.append(len(delays))
            p50.append(percentile([d.visible for d in delays], 0.5))
            p99.append(percentile([d.visible for d in delays], 0.99))
            kafka_p50.append(percentile([d.on_kafka for d in delays], 0.5))
            kafka_p99.append(percentile([d.on_kafka for d in delays], 0.99))
            rates.append(rate)
    finally:
        await arrivals.stop()
    worst = Samples("s", tuple(p99))
    return Figure(
        benchmark="4. freshness",
        measure=f"p99 HTTP 201 -> visible in indicators API, {CLIENTS} clinics sustained",
        ours=worst,
        baseline=None,
        baseline_name="absolute target (no baseline)",
        target="p99 < 0.5 s",
        holds=worst.median < 0.5,
        notes=(
            f"p50 {Samples('s', tuple(p50)).summary()}; sustained load "
            f"{Samples('redemptions/s', tuple(rates)).summary()}; followed per repeat: "
            f"{Samples('redemptions', tuple(followed)).summary()}",
            f"of which HTTP 201 -> on Kafka (commit, relay, publish): p50 "
            f"{Samples('s', tuple(kafka_p50)).summary()}, p99 "
            f"{Samples('s', tuple(kafka_p99)).summary()}",
        ),
    )
