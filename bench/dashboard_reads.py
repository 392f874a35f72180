"""Benchmark 5 (reads): dashboard read latency with a small and a large read model.

The indicators service runs as its own process on a database its projection rebuilt from an
event set, with its consumer positioned at the end of that set. A dashboard read is
`GET /attainment` as an M&E officer (exact figures). Two latencies:

- warm: the read model did not change since the last read (the service's cache answers after
  one revision query) - what most dashboard polls get;
- after a change: one new event was applied (its subjects recounted by the projection, in the
  database), so the service's cache misses and it reads the figures again
  (`services/indicators/reading.py`) - what the first poll after each change gets.

Both sizes are served at once, by two processes, and read in turns (`measure`). The service reads
its figures once before it reports ready; the time from start to ready and the first read after
it are reported on their own.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import orjson
from aiokafka import AIOKafkaProducer

from bench.events import EventSet, generate
from bench.figures import percentile
from bench.http_load import HttpConnection
from bench.processes import ServiceProcess
from contracts.envelope import to_kafka
from contracts.registry import latest_model
from eventkit.kafka_access import KafkaAccess
from services.indicators import read_model
from services.indicators.logframe import Logframe


@dataclass
class Reads:
    """Latencies in ms of one read model size over the repeats."""

    warm_p50: list[float] = field(default_factory=list)
    warm_p99: list[float] = field(default_factory=list)
    first: list[float] = field(default_factory=list)
    """The first read after start-up (the read model was loaded before readiness)."""
    startup: list[float] = field(default_factory=list)
    """Process start to ready, in ms: includes loading the whole read model."""
    after_change: list[float] = field(default_factory=list)
    skipped: str = ""


async def _one_more_event(bootstrap: KafkaAccess, events: EventSet) -> None:
    """Publish one registration to the set's topics: the read model's revision moves."""
    envelope = next(generate(1))
    key, value, headers = to_kafka(envelope)
    producer = AIOKafkaProducer(**bootstrap.options(), acks="all")
    await producer.start()
    try:
        topic = events.topics[latest_model(envelope.type).aggregate]
        await producer.send_and_wait(topic, value, key=key, headers=headers)
    finally:
        await producer.stop()


async def _revision(url: str, logframe: Logframe) -> int:
    conn = await asyncpg.connect(url)
    try:
        schema = read_model.schema_of(logframe)  # a safe identifier (see read_model)
        return int(await conn.fetchval(f"SELECT n FROM {schema}.revision"))  # noqa: S608
    finally:
        await conn.close()


async def _read(connection: HttpConnection, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    status, body = await connection.get("/attainment", headers)
    if status != 200:
        raise RuntimeError(f"GET /attainment answered {status}: {body[:300]!r}")
    orjson.loads(body)
    return (time.perf_counter() - started) * 1000


def serving(
    url: str, events: EventSet, env: dict[str, str], log: Path, prefix: str
) -> ServiceProcess:
    """The indicators service as a process on the read model at `url` rebuilt from `events`,
    its consumers (named under `prefix`) at the end of the set: what the dashboard reads."""
    return ServiceProcess(
        "services.indicators",
        {
            **env,
            "PANA_DATABASE_URL": url,
            "PANA_CONSUMER_PREFIX": prefix,
            "PANA_SOURCE_TOPICS": "[" + ",".join(f'"{n}"' for n in events.names) + "]",
        },
        log,
    )


@dataclass
class Served:
    """One indicators service under test: its read model's database, event set and latencies."""

    service: ServiceProcess
    url: str
    events: EventSet
    reads: Reads


async def measure(
    served: Sequence[Served],
    bootstrap: KafkaAccess,
    logframe: Logframe,
    token: str,
    repeats: int,
    reads: int,
    deadline: float,
) -> None:
    """`repeats` rounds of `reads` warm reads of each service, each but the first after a change.

    A change is one new event. The services take turns within each round (first one, then the
    other, then back), so whatever the machine does meanwhile falls on both sizes alike. The
    first read comes right after start-up (the read model was loaded before readiness).
    Further changes are applied only while the suite's time budget (`deadline`, monotonic)
    allows another read after a change.
    """
    headers = {"Authorization": f"Bearer {token}"}
    connections = [HttpConnection(s.service.url) for s in served]
    await asyncio.gather(*(c.open() for c in connections))
    try:
        turns = list(zip(served, connections, strict=True))
        for one, connection in turns:
            one.reads.first.append(await _read(connection, headers))
        for n in range(repeats):
            for one, connection in turns if n % 2 == 0 else turns[::-1]:
                out = one.reads
                if n > 0:
                    if time.monotonic() + 30 > deadline:
                        out.skipped = "further changes skipped (time budget)"
                    else:
                        await _apply_one_more(one.url, bootstrap, one.events, logframe)
                        out.after_change.append(await _read(connection, headers))
                warm = [await _read(connection, headers) for _ in range(reads)]
                out.warm_p50.append(percentile(warm, 0.5))
                out.warm_p99.append(percentile(warm, 0.99))
    finally:
        await asyncio.gather(*(c.close() for c in connections))


async def _apply_one_more(
    url: str, bootstrap: KafkaAccess, events: EventSet, logframe: Logframe
) -> None:
    """Publish one event and wait until the service's projection committed it."""
    before = await _revision(url, logframe)
    await _one_more_event(bootstrap, events)
    deadline = time.monotonic() + 120
    while await _revision(url, logframe) == before:
        if time.monotonic() > deadline:
            raise TimeoutError("the indicators service never applied the new event")
        await asyncio.sleep(0.02)
