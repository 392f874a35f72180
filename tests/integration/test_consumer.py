"""The consumer runner on real Kafka and PostgreSQL: effectively-once under crashes."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from contracts.envelope import Envelope, to_kafka
from contracts.registry import schema_uri
from contracts.topics import DEADLETTER_ORIGIN_HEADER, DEADLETTER_REASON_HEADER
from eventkit.consumer import ConsumerRunner, Delivered
from eventkit.kafka_access import KafkaAccess
from eventkit.positions import applied, wait_for_events
from eventkit.store import Connection
from tests.support.counting_consumer import COUNTER_DDL
from tests.support.infrastructure import KafkaEndpoint
from tests.support.kafka_reading import new_topic
from tests.support.store import open_pool
from tests.support.waiting import until

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await open_pool(database)
    await pool.execute(COUNTER_DDL)
    yield pool
    await pool.close()


def _envelope(stream: str, n: int, event_id: str | None = None) -> Envelope:
    return Envelope(
        id=event_id or str(uuid.uuid4()),
        source="/pana/test",
        type="message.reached",
        time=datetime.now(UTC),
        subject=stream,
        dataschema=schema_uri("message.reached", 1),
        version=1,
        traceparent=None,
        data={"n": n},
    )


async def _produce(bootstrap: KafkaAccess, topic: str, envelopes: Sequence[Envelope]) -> None:
    producer = AIOKafkaProducer(**bootstrap.options(), enable_idempotence=True, acks="all")
    await producer.start()
    try:
        sends = []
        for envelope in envelopes:
            key, value, headers = to_kafka(envelope)
            sends.append(await producer.send(topic, value, key=key, headers=headers))
        await asyncio.gather(*sends)
    finally:
        await producer.stop()


def _consumer(
    database: str, bootstrap: KafkaAccess, topic: str, group: str
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable, "-m", "tests.support.counting_consumer", "--database-url", database,
            "--bootstrap-servers", bootstrap.bootstrap_servers, "--topic", topic,
            "--consumer", group, "--hold", "0.05", "--max-batch", "100",
        ],
        env={**os.environ, **bootstrap.env()},  # the credentials, never on the command line
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


async def _count(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT coalesce(sum(n), 0) FROM event_count"))


async def _until(pool: asyncpg.Pool, group: str, ids: list[str], at_least: int) -> None:
    """Wait (bounded) until the group applied at least `at_least` of `ids`."""

    async def reached() -> bool:
        return await applied(pool, group, ids) >= at_least

    await until(reached, 60, f"{group} reaches {at_least} applied events")


async def test_sigkill_mid_batch_and_a_rebalance_never_double_count(
    pool: asyncpg.Pool, database: str, kafka: KafkaEndpoint
) -> None:
    topic = await new_topic(kafka.admin, partitions=6)
    envelopes = [_envelope(f"s-{i % 40}", i) for i in range(3000)]
    # A relay that crashed republishes: the same event ids appear again at new offsets.
    duplicates = [_envelope(e.subject, 0, e.id) for e in envelopes[:300]]
    await _produce(kafka.admin, topic, [*envelopes, *duplicates])
    ids = [e.id for e in envelopes]
    group = f"count-{uuid.uuid4().hex[:6]}"
    boot = kafka.admin

    first = _consumer(database, boot, topic, group)
    await _until(pool, group, ids, 600)
    first.send_signal(signal.SIGKILL)  # mid-batch: each batch holds its transaction 50 ms
    first.wait()

    second = _consumer(database, boot, topic, group)
    await _until(pool, group, ids, 1200)
    third = _consumer(database, boot, topic, group)  # joins: a rebalance between two members
    await _until(pool, group, ids, 2000)
    second.send_signal(signal.SIGKILL)
    second.wait()
    try:
        await wait_for_events(pool, group, ids, within=120)
    finally:
        third.terminate()
        third.wait(timeout=30)
    assert await _count(pool) == 3000
    assert await pool.fetchval("SELECT count(*) FROM processed_events") == 3000


class _Recording:
    def __init__(self) -> None:
        self.seen: list[str] = []

    async def apply(self, conn: Connection, events: Sequence[Delivered]) -> None:
        self.seen.extend(e.envelope.id for e in events)


async def test_poison_messages_go_to_the_dead_letter_topic_and_consumption_continues(
    pool: asyncpg.Pool, kafka: KafkaEndpoint
) -> None:
    topic = await new_topic(kafka.admin, partitions=1)
    deadletters = await new_topic(kafka.admin, partitions=1)
    good_before, good_after = _envelope("s", 1), _envelope("s", 2)
    key, value, headers = to_kafka(_envelope("s", 9))
    unknown = [(k, b"case.teleported" if k == "ce_type" else v) for k, v in headers]
    producer = AIOKafkaProducer(**kafka.admin.options(), acks="all")
    await producer.start()
    try:
        await _produce(kafka.admin, topic, [good_before])
        await producer.send_and_wait(topic, b"{not json", key=key, headers=headers)
        await producer.send_and_wait(topic, value, key=key, headers=unknown)
        await _produce(kafka.admin, topic, [good_after])
    finally:
        await producer.stop()
    projection = _Recording()
    runner = ConsumerRunner(
        pool,
        kafka.admin,
        consumer=f"dlq-{uuid.uuid4().hex[:6]}",
        topics=[topic],
        projection=projection,
        deadletter_topic=deadletters,
    )
    running = asyncio.create_task(runner.run())
    try:
        await wait_for_events(pool, runner.consumer, [good_before.id, good_after.id])
    finally:
        runner.stop()
        await running
    assert projection.seen == [good_before.id, good_after.id]
    reasons = await _dead_letter_reasons(kafka.admin, deadletters, 2)
    assert any("JSON" in r for r in reasons)
    assert any("case.teleported" in r for r in reasons)


async def _dead_letter_reasons(bootstrap: KafkaAccess, topic: str, expected: int) -> list[str]:
    consumer = AIOKafkaConsumer(**bootstrap.options())
    await consumer.start()
    try:
        tp = TopicPartition(topic, 0)
        consumer.assign([tp])
        await consumer.seek_to_beginning(tp)
        reasons: list[str] = []
        for _ in range(20):
            for record in (await consumer.getmany(tp, timeout_ms=500)).get(tp, []):
                headers = dict(record.headers)
                assert headers[DEADLETTER_ORIGIN_HEADER].decode().startswith("test.")
                reasons.append(headers[DEADLETTER_REASON_HEADER].decode())
            if len(reasons) >= expected:
                return reasons
        raise TimeoutError(f"{len(reasons)} dead letters of {expected}")
    finally:
        await consumer.stop()
