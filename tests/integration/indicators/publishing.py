"""Publishing real events for the indicators tests, the two ways services do it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from contracts.envelope import envelope_for, to_kafka
from contracts.registry import latest_model
from contracts.topics import DEADLETTER_TOPIC, TOPIC_BY_AGGREGATE
from eventkit.consumer import ConsumerRunner
from eventkit.kafka_access import KafkaAccess
from eventkit.relay import OutboxRelay
from eventkit.store import NewEvent, append
from services.indicators.logframe import Logframe
from services.indicators.projection import AttainmentProjection
from tests.support.kafka_reading import new_topic
from tests.unit.indicators.builders import Numbered

AGGREGATES = tuple(TOPIC_BY_AGGREGATE)


async def fresh_topics(bootstrap: KafkaAccess) -> dict[str, str]:
    """A fresh topic per aggregate family (participant, case, referral, voucher), visible in
    the cluster's metadata: a consumer subscribing to a topic not yet there would not see it
    until its next metadata refresh (minutes)."""
    topics = {aggregate: await new_topic(bootstrap, 3) for aggregate in AGGREGATES}
    probe = AIOKafkaConsumer(**bootstrap.options())
    await probe.start()
    try:
        for _ in range(500):
            await probe._client.force_metadata_update()
            if all(probe.partitions_for_topic(t) for t in topics.values()):
                return topics
            await asyncio.sleep(0.02)
        raise TimeoutError("new topics never appeared in the metadata")
    finally:
        await probe.stop()


def topic_of(topics: dict[str, str], event_type: str) -> str:
    return topics[latest_model(event_type).aggregate]


async def produce(
    bootstrap: KafkaAccess, topics: dict[str, str], events: Sequence[Numbered]
) -> None:
    """Produce events in the order given (their envelope ids are the given ids)."""
    producer = AIOKafkaProducer(**bootstrap.options(), enable_idempotence=True, acks="all")
    await producer.start()
    try:
        for event_id, event in events:
            envelope = envelope_for(event, event_id=event_id, time=datetime.now(UTC))
            key, value, headers = to_kafka(envelope)
            await producer.send_and_wait(
                topic_of(topics, event.event_type), value, key=key, headers=headers
            )
    finally:
        await producer.stop()


async def store_and_relay(
    pool: asyncpg.Pool, database: str, bootstrap: KafkaAccess, topics: dict[str, str],
    events: Sequence[Numbered],
) -> None:  # fmt: skip
    """Append each event to its stream in the event store, and run the outbox relay until all
    of them reached Kafka: the path every write service takes."""
    versions: dict[str, int] = {}
    for event_id, event in events:
        stream = str(event.aggregate_id)
        async with pool.acquire() as conn, conn.transaction():
            new = NewEvent(event.event_type, event.model_dump(mode="json"), event.version,
                           uuid.UUID(event_id), occurred_at=datetime.now(UTC))  # fmt: skip
            await append(conn, stream, versions.get(stream, 0), [new])
        versions[stream] = versions.get(stream, 0) + 1
    relay = OutboxRelay(
        database, bootstrap, source="/pana/test", route=lambda t: topic_of(topics, t)
    )
    running = asyncio.create_task(relay.run())
    try:
        for _ in range(1000):
            if not await pool.fetchval("SELECT count(*) FROM outbox"):
                return
            await asyncio.sleep(0.02)
        raise TimeoutError("the relay did not publish every event")
    finally:
        relay.stop()
        await running


@asynccontextmanager
async def projecting(
    pool: asyncpg.Pool,
    bootstrap: KafkaAccess,
    topics: dict[str, str],
    logframe: Logframe,
    deadletter_topic: str = DEADLETTER_TOPIC,
) -> AsyncIterator[ConsumerRunner]:
    """The service's consumer for `logframe`, running on `topics` while in the block."""
    runner = ConsumerRunner(
        pool,
        bootstrap,
        consumer=f"indicators-test-{uuid.uuid4().hex[:8]}.{logframe.key}",
        topics=list(topics.values()),
        projection=AttainmentProjection(logframe),
        max_batch=50,
        deadletter_topic=deadletter_topic,
    )
    running = asyncio.create_task(runner.run())
    try:
        yield runner
    finally:
        runner.stop()
        await running
