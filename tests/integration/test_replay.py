"""A consumer replaying its topics from the start says so until it has caught up."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from prometheus_client import REGISTRY

from contracts.envelope import Envelope, to_kafka
from contracts.registry import schema_uri
from eventkit.consumer import ConsumerRunner, Delivered
from eventkit.kafka_access import KafkaAccess
from eventkit.store import Connection
from tests.support.infrastructure import KafkaEndpoint
from tests.support.kafka_reading import new_topic
from tests.support.store import open_pool
from tests.support.waiting import until

pytestmark = pytest.mark.integration
RECORDS = 40


class Gated:
    """A projection that holds its second batch until the test opens the gate."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.batches = 0
        self.applied = 0
        self.told: list[int] = []
        """Records applied each time the runner said a replay was over (`caught_up`)."""

    async def apply(self, conn: Connection, events: Sequence[Delivered]) -> None:
        self.batches += 1
        if self.batches > 1:
            await self.gate.wait()
        self.applied += len(events)

    async def caught_up(self, conn: Connection) -> None:
        self.told.append(self.applied)


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await open_pool(database)
    yield pool
    await pool.close()


async def _produce(boot: KafkaAccess, topic: str, count: int) -> None:
    producer = AIOKafkaProducer(**boot.options(), enable_idempotence=True, acks="all")
    await producer.start()
    try:
        for n in range(count):
            envelope = Envelope(
                id=str(uuid.uuid4()), source="/pana/test", type="message.reached",
                time=datetime.now(UTC), subject="s", dataschema=schema_uri("message.reached", 1),
                version=1, traceparent=None, data={"n": n},
            )  # fmt: skip
            key, value, headers = to_kafka(envelope)
            await producer.send_and_wait(topic, value, key=key, headers=headers)
    finally:
        await producer.stop()


def _remaining(consumer: str) -> float | None:
    return REGISTRY.get_sample_value("pana_projection_replay_remaining", {"consumer": consumer})


async def test_a_replay_reports_its_progress_and_readiness_until_it_caught_up(
    pool: asyncpg.Pool, kafka: KafkaEndpoint
) -> None:
    boot = kafka.admin
    topic = await new_topic(boot, 1)
    await _produce(boot, topic, RECORDS)
    projection = Gated()
    consumer = f"replay-{uuid.uuid4().hex[:8]}"
    runner = ConsumerRunner(
        pool, boot, consumer=consumer, topics=[topic], projection=projection, max_batch=10,
        ready_while_replaying=False,
    )  # fmt: skip
    running = asyncio.create_task(runner.run())
    try:
        # The first batch is in; the second waits at the gate: the read model is partial.
        await until(lambda: projection.batches >= 2 and runner.replay is not None)
        replay = runner.replay
        assert replay is not None and replay.total == RECORDS and replay.done < RECORDS
        with pytest.raises(RuntimeError, match=rf"rebuilding: \d+ of {RECORDS} records read"):
            await runner.check()
        remaining = _remaining(consumer)
        assert remaining is not None and 0 < remaining <= RECORDS

        projection.gate.set()
        await until(lambda: runner.replay is None)
        await runner.check()  # caught up: ready
        assert projection.applied == RECORDS
        assert _remaining(consumer) == 0
        assert await pool.fetchval("SELECT count(*) FROM replay_targets") == 0

        await _produce(boot, topic, 5)  # live events after the replay are no replay
        await until(lambda: projection.applied == RECORDS + 5)
        assert runner.replay is None
    finally:
        projection.gate.set()
        runner.stop()
        await running


async def test_not_ready_before_its_partitions_are_assigned(
    pool: asyncpg.Pool, kafka: KafkaEndpoint
) -> None:
    topic = await new_topic(kafka.admin, 1)
    runner = ConsumerRunner(
        pool, kafka.admin, consumer=f"replay-{uuid.uuid4().hex[:8]}", topics=[topic],
        projection=Gated(), ready_while_replaying=False,
    )  # fmt: skip
    with pytest.raises(RuntimeError, match="waiting for its partitions to be assigned"):
        await runner.check()
    running = asyncio.create_task(runner.run())
    try:
        await until(lambda: _passes(runner), what="ready once assigned (an empty topic)")
    finally:
        runner.stop()
        await running


async def _passes(runner: ConsumerRunner) -> bool:
    try:
        await runner.check()
    except RuntimeError:
        return False
    return True


@pytest.mark.parametrize("catch_up_after", [RECORDS - 1, RECORDS])
async def test_a_consumer_far_behind_catches_up_as_a_replay(
    pool: asyncpg.Pool, kafka: KafkaEndpoint, catch_up_after: int
) -> None:
    """Stored positions more than `catch_up_after` records behind the end make a replay (the
    projection told once it is over); fewer, none."""
    boot = kafka.admin
    topic = await new_topic(boot, 1)
    await _produce(boot, topic, RECORDS)
    consumer = f"behind-{uuid.uuid4().hex[:8]}"
    await pool.execute("INSERT INTO consumer_offsets VALUES ($1, $2, 0, 0)", consumer, topic)
    projection = Gated()
    runner = ConsumerRunner(
        pool, boot, consumer=consumer, topics=[topic], projection=projection, max_batch=10,
        ready_while_replaying=False, catch_up_after=catch_up_after,
    )  # fmt: skip
    running = asyncio.create_task(runner.run())
    try:
        await until(lambda: projection.batches >= 2)  # the second batch waits at the gate
        if catch_up_after == RECORDS:
            assert runner.replay is None
            await runner.check()
            return
        replay = runner.replay
        assert replay is not None and replay.total == RECORDS and replay.done < RECORDS
        with pytest.raises(RuntimeError, match=rf"rebuilding: \d+ of {RECORDS} records read"):
            await runner.check()
        assert projection.told == []

        projection.gate.set()
        await until(lambda: runner.replay is None)
        await runner.check()
        assert projection.told == [RECORDS]  # before the runner said the replay was over
    finally:
        projection.gate.set()
        runner.stop()
        await running
