"""The outbox relay on real PostgreSQL and Kafka: late commits, SIGKILL, CloudEvents conformance."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from cloudevents.core.bindings import kafka as ce_kafka
from opentelemetry import context
from opentelemetry.propagate import extract

from eventkit import relay as relay_module
from eventkit.kafka_access import KafkaAccess
from eventkit.relay import OutboxRelay
from eventkit.store import append
from tests.support.infrastructure import KafkaEndpoint
from tests.support.kafka_reading import assert_stream_order, new_topic, read_until
from tests.support.store import numbered, open_pool
from tests.support.tracing import capture_spans

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await open_pool(database, max_size=40)
    yield pool
    await pool.close()


async def _writer(pool: asyncpg.Pool, stream: str, count: int, hold: float) -> list[str]:
    """Append `count` events one per transaction, holding each open a random while."""
    ids = []
    for version in range(count):
        async with pool.acquire() as conn, conn.transaction():
            done = await append(conn, stream, version, [numbered(version + 1)])
            # The position is taken; commit later than writers that took larger positions.
            await asyncio.sleep(random.uniform(0, hold))
        ids.append(str(done.event_ids[0]))
    return ids


async def _naive_tailer(pool: asyncpg.Pool, stop: asyncio.Event) -> set[str]:
    """What a relay that remembers "published up to position P" would see: the hazard."""
    last, seen = 0, set()
    while not stop.is_set():
        rows = await pool.fetch(
            "SELECT position, event_id::text FROM events WHERE position > $1 ORDER BY position",
            last,
        )
        for row in rows:
            seen.add(row["event_id"])
            last = row["position"]
        await asyncio.sleep(0.001)
    return seen


async def test_late_commits_are_never_skipped_and_stream_order_holds(
    pool: asyncpg.Pool, database: str, kafka: KafkaEndpoint
) -> None:
    topic = await new_topic(kafka.admin)
    relay = OutboxRelay(database, kafka.admin, source="/pana/test", route=lambda _: topic)
    running = asyncio.create_task(relay.run())
    writers_done = asyncio.Event()
    naive = asyncio.create_task(_naive_tailer(pool, writers_done))
    try:
        streams = [f"late-{i}-{uuid.uuid4().hex[:6]}" for i in range(32)]
        written = await asyncio.gather(*(_writer(pool, s, 100, 0.004) for s in streams))
        writers_done.set()
        wanted = {event_id for ids in written for event_id in ids}
        assert len(wanted) == 3200
        reads = await read_until(kafka.admin, topic, wanted)
    finally:
        writers_done.set()
        relay.stop()
        await running
    # The load really produced late commits: a high-water-mark reader skipped some events.
    assert len(wanted - await naive) > 0
    assert {r.envelope.id for r in reads} == wanted
    assert assert_stream_order(reads) == 0  # no crash, so no duplicate either
    assert all(r.key == r.envelope.subject.encode() for r in reads)  # keyed by aggregate id
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 0


def _relay_process(database: str, bootstrap: KafkaAccess, topic: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable, "-m", "eventkit.relay", "--database-url", database,
            "--bootstrap-servers", bootstrap.bootstrap_servers, "--source", "/pana/test",
            "--topic", topic, "--batch-size", "200",
        ],
        env={**os.environ, **bootstrap.env()},  # the credentials, never on the command line
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


async def _backlog(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM outbox"))


async def _published_since(pool: asyncpg.Pool, appended: int, before: int) -> bool:
    # Some of the backlog went out since the relay (re)started: it is mid-run.
    return await _backlog(pool) < before or appended == 0


async def test_relay_killed_mid_batch_resumes_without_skipping(
    pool: asyncpg.Pool, database: str, kafka: KafkaEndpoint
) -> None:
    topic = await new_topic(kafka.admin)
    streams = [f"crash-{i}-{uuid.uuid4().hex[:6]}" for i in range(16)]
    writing = asyncio.gather(*(_writer(pool, s, 250, 0.002) for s in streams))
    kills = 0
    process = _relay_process(database, kafka.admin, topic)
    try:
        for _ in range(4):
            before = await _backlog(pool)
            # Wait until the relay has published part of the backlog, then kill it (SIGKILL).
            for _ in range(2000):
                if await _backlog(pool) < before - 50 or writing.done():
                    break
                await asyncio.sleep(0.005)
            process.send_signal(signal.SIGKILL)
            process.wait()
            kills += 1
            process = _relay_process(database, kafka.admin, topic)
        written = await writing
        wanted = {event_id for ids in written for event_id in ids}
        reads = await read_until(kafka.admin, topic, wanted, within=120)
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert kills == 4
    assert len(wanted) == 4000
    assert {r.envelope.id for r in reads} == wanted
    duplicates = assert_stream_order(reads)
    assert duplicates <= 4 * 200  # at most one unacknowledged batch per kill


async def test_cloudevents_sdk_parses_what_the_relay_published(
    pool: asyncpg.Pool, database: str, kafka: KafkaEndpoint
) -> None:
    topic = await new_topic(kafka.admin, partitions=1)
    async with pool.acquire() as conn, conn.transaction():
        done = await append(conn, "ce-stream", 0, [numbered(1)])
    relay = OutboxRelay(database, kafka.admin, source="/pana/test", route=lambda _: topic)
    running = asyncio.create_task(relay.run())
    try:
        await read_until(kafka.admin, topic, {str(done.event_ids[0])})
    finally:
        relay.stop()
        await running
    consumer = AIOKafkaConsumer(**kafka.admin.options())
    await consumer.start()
    try:
        tp = TopicPartition(topic, 0)
        consumer.assign([tp])
        await consumer.seek_to_beginning(tp)
        record = (await consumer.getmany(tp, timeout_ms=5000))[tp][0]
    finally:
        await consumer.stop()
    message = ce_kafka.KafkaMessage(
        headers=dict(record.headers), key=record.key, value=record.value
    )
    event = ce_kafka.from_binary_event(message)
    assert event.get_specversion() == "1.0"
    assert event.get_id() == str(done.event_ids[0])
    assert event.get_type() == "message.reached"
    assert event.get_source() == "/pana/test"
    assert event.get_subject() == "ce-stream"
    assert str(event.get_dataschema()).endswith("message.reached.v1.json")
    assert event.get_time() is not None
    assert event.get_extension("schemaversion") == "1"
    assert event.get_data() == {"n": 1}


@pytest.mark.parametrize("traced", [False, True])
async def test_an_event_carries_the_trace_it_was_written_in(
    pool: asyncpg.Pool,
    database: str,
    kafka: KafkaEndpoint,
    monkeypatch: pytest.MonkeyPatch,
    traced: bool,
) -> None:
    # Without a tracer provider the relay makes no span and passes the stored traceparent on;
    # with one, the message carries its producer span, in the same trace.
    if traced:
        capture_spans()
    else:
        monkeypatch.setattr(relay_module, "tracing_installed", lambda: False)
    trace_id = uuid.uuid4().hex
    written = f"00-{trace_id}-00f067aa0ba902b7-01"
    topic = await new_topic(kafka.admin, partitions=1)
    token = context.attach(extract({"traceparent": written}))
    try:
        async with pool.acquire() as conn, conn.transaction():
            done = await append(conn, f"trace-{trace_id}", 0, [numbered(1)])
    finally:
        context.detach(token)
    relay = OutboxRelay(database, kafka.admin, source="/pana/test", route=lambda _: topic)
    running = asyncio.create_task(relay.run())
    try:
        (read,) = await read_until(kafka.admin, topic, {str(done.event_ids[0])})
    finally:
        relay.stop()
        await running
    carried = read.envelope.traceparent
    assert carried is not None and carried.split("-")[1] == trace_id
    assert (carried == written) is not traced  # traced: the relay's own span is the parent


def _rows_read(plan: dict[str, object], relation: str) -> float:
    """Rows the plan's nodes on `relation` produced, over all their loops."""
    here = 0.0
    if plan.get("Relation Name") == relation:
        here = float(plan["Actual Rows"]) * float(plan["Actual Loops"])  # type: ignore[arg-type]
    children = plan.get("Plans", [])
    assert isinstance(children, list)
    return here + sum(_rows_read(child, relation) for child in children)


async def test_a_batch_looks_up_the_waiting_events_however_large_the_store(
    pool: asyncpg.Pool,
) -> None:
    # 2,000 events in the store, all published but the last: one row waits in the outbox.
    async with pool.acquire() as conn, conn.transaction():
        await append(conn, f"big-{uuid.uuid4().hex[:6]}", 0, [numbered(n) for n in range(2000)])
    await pool.execute("DELETE FROM outbox WHERE position < (SELECT max(position) FROM outbox)")
    async with pool.acquire() as conn:
        # Joins that would walk the events index from its start now look cheapest to the
        # planner (as stale statistics made them look): the batch must still not use one.
        await conn.execute("SET enable_nestloop = off")
        await conn.execute("SET enable_hashjoin = off")
        query = relay_module._BATCH.replace("$1", "500")
        explained = await conn.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) {query}")
        rows = await conn.fetch(query)
    plan = json.loads(explained)[0]["Plan"]
    assert len(rows) == 1
    assert _rows_read(plan, "events") == 1, json.dumps(plan, indent=1)
