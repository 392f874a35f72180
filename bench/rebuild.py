"""Benchmarks 2 and 5 (rebuild): the indicators projection rebuilding its read model from Kafka.

Ours: the consumer runner (`eventkit.consumer`) with the indicators service's projection
(`services.indicators.projection.AttainmentProjection`, default logframe) on a fresh database,
from offset zero, exactly as the service rebuilds a logframe version. Baseline: a bare aiokafka
consumer reading the same topics from the beginning and decoding every message into its
envelope (headers + JSON), writing nothing. A third reader does the bare read plus the
projection's own CPU work on each event, still writing nothing: what a rebuild costs before it
touches the database.

Throughput counts from the first applied (or read) event to the last, so consumer start-up is
not in it; rebuild time is the whole wall time from start to the last event applied.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from aiokafka import AIOKafkaConsumer

from bench.diagnostics import CollectionTime
from bench.events import EventSet
from bench.infrastructure import Servers
from contracts.envelope import from_kafka
from eventkit import collector
from eventkit.consumer import ConsumerRunner, Delivered
from eventkit.schema import CONSUMER_DDL, migrate
from eventkit.store import init_connection
from services.indicators import read_model
from services.indicators.logframe import DEFAULT_DIRECTORY, Logframe, load_directory
from services.indicators.projection import MAX_BATCH, MAX_BATCH_MS, AttainmentProjection
from tests.support.infrastructure import fresh_database

DEFAULT_LOGFRAME = "pana_peru_y2_v1"


@dataclass(frozen=True)
class Pass:
    """One pass over an event set: events, seconds from start, seconds first-to-last event."""

    events: int
    total: float
    steady: float
    collecting: float = 0.0
    """Seconds the cycle collector ran during the pass."""
    tenths: tuple[float, ...] = ()
    """Events/s over each tenth of the events: flat when the cost per event does not grow
    with the read model."""

    @property
    def rate(self) -> float:
        return self.events / self.steady if self.steady > 0 else 0.0


@functools.cache
def logframe() -> Logframe:
    """The indicators service's default logframe version (parsed once)."""
    return load_directory(DEFAULT_DIRECTORY)[DEFAULT_LOGFRAME]


def only_default_logframe(folder: Path) -> Path:
    """A logframes folder holding only the default version, for the indicators processes.

    The service projects every version in its folder, each with its own consumer; with one
    version, every figure measures one projection, as the in-process rebuilds do.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(DEFAULT_DIRECTORY.glob("*.yaml")):
        text = path.read_text()
        if "based_on" not in text and logframe().key in text:
            (folder / path.name).write_text(text)
            return folder
    raise LookupError(f"no standalone file defines the logframe {DEFAULT_LOGFRAME}")


async def project(
    found: Servers,
    events: EventSet,
    url: str,
    consumer: str | None = None,
    service_collector: bool = True,
) -> Pass:
    """Rebuild the read model in the database at `url` from the event set's topics.

    With the collector settings of the service process (`eventkit.collector`), unless
    `service_collector` is false (CPython's defaults, for comparison).
    """
    count = events.count
    lf = logframe()
    pool = await asyncpg.create_pool(url, min_size=1, max_size=4, init=init_connection)
    try:
        await migrate(pool, CONSUMER_DDL, read_model.ddl(lf))
        consumer = consumer or read_model.consumer_of(lf, f"bench{uuid.uuid4().hex[:6]}")
        runner = ConsumerRunner(
            pool,
            found.admin,
            consumer=consumer,
            topics=events.names,
            projection=AttainmentProjection(lf, consumer),  # as the service runs it
            max_batch=MAX_BATCH,  # as the service runs it
            max_poll_interval_ms=MAX_BATCH_MS,
        )
        collection = CollectionTime()
        started = time.perf_counter()
        task = asyncio.create_task(_tuned(runner, collection, service_collector))
        first: float | None = None
        marks: list[tuple[float, int]] = []  # (time, applied) as each tenth is applied
        while runner.applied < count:
            applied = runner.applied
            if first is None and applied > 0:
                first, at_first = time.perf_counter(), applied
                marks.append((first, applied))  # tenths are timed from the first event on
            now = time.perf_counter()
            while marks and applied >= len(marks) * count / 10:  # a batch may span tenths
                marks.append((now, applied))
            if task.done():
                raise RuntimeError("the consumer runner stopped before the end")
            await asyncio.sleep(0.01)
        done = time.perf_counter()
        marks.append((done, count))
        runner.stop()
        await task
    finally:
        await pool.close()
    if first is None:
        first, at_first = started, 0
    tenths = tuple(
        (n1 - n0) / (t1 - t0)
        for (t0, n0), (t1, n1) in itertools.pairwise(marks)
        if t1 > t0 and n1 > n0  # a mark repeated within one poll is no interval
    )
    return Pass(count - at_first, done - started, done - first, collection.seconds, tenths)


async def _tuned(runner: ConsumerRunner, collection: CollectionTime, tuned: bool) -> None:
    with collection, collector.tuned() if tuned else contextlib.nullcontext():
        await runner.run()


async def rebuild(found: Servers, events: EventSet, service_collector: bool = True) -> Pass:
    """One rebuild on a fresh database (dropped afterwards)."""
    async with fresh_database(found.postgres, "bench_rebuild") as url:
        return await project(found, events, url, service_collector=service_collector)


async def bare_read(found: Servers, events: EventSet) -> Pass:
    """Read and decode the event set from the beginning of its topics, writing nothing."""
    return await _read(found, events, None)


async def prepared_read(found: Servers, events: EventSet) -> Pass:
    """The bare read plus the projection's own CPU work on every event, writing nothing.

    Each event's data is validated against its contract and its facts derived
    (`AttainmentProjection.prepare`, as the runner calls it): what a rebuild costs before it
    touches the database, on the one Python process that does it.
    """
    return await _read(found, events, AttainmentProjection(logframe()).prepare)


async def _read(
    found: Servers, events: EventSet, prepare: Callable[[list[Delivered]], None] | None
) -> Pass:
    count = events.count
    consumer = AIOKafkaConsumer(
        **found.admin.options(),
        enable_auto_commit=False,
        isolation_level="read_committed",
        max_poll_records=500,
    )
    started = time.perf_counter()
    await consumer.start()
    try:
        partitions = events.partitions
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        read, first, at_first = 0, started, 0
        while read < count:
            batch = await consumer.getmany(timeout_ms=200, max_records=500)
            for tp, records in batch.items():
                if prepare is None:
                    for record in records:
                        from_kafka(list(record.headers or ()), record.value or b"")
                else:
                    prepare(
                        [
                            Delivered(
                                from_kafka(list(r.headers or ()), r.value or b""),
                                tp.topic, tp.partition, r.offset,
                            )
                            for r in records
                        ]
                    )  # fmt: skip
                read += len(records)
            if at_first == 0 and read:
                first, at_first = time.perf_counter(), read
        done = time.perf_counter()
    finally:
        await consumer.stop()
    return Pass(count - at_first, done - started, done - first)
