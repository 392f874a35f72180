"""An event the indicators read whose headers are valid but whose data is not goes to the
dead-letter topic with its reason and origin, and the projection keeps going."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import orjson
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import ConsumerRecord

from contracts.envelope import envelope_for, to_kafka
from contracts.topics import DEADLETTER_ORIGIN_HEADER, DEADLETTER_REASON_HEADER
from eventkit.kafka_access import KafkaAccess
from eventkit.positions import wait_for_events
from eventkit.schema import CONSUMER_DDL
from services.indicators import read_model
from services.indicators.logframe import load_directory
from tests.integration.indicators.publishing import fresh_topics, produce, projecting, topic_of
from tests.support.infrastructure import KafkaEndpoint
from tests.support.kafka_reading import new_topic
from tests.support.store import open_pool
from tests.unit.indicators.builders import ledger_of, numbered, registered, service

pytestmark = pytest.mark.integration
Y2 = load_directory()["pana_peru_y2_v1"].model_copy(update={"key": "dead_letters"})


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await open_pool(database)
    await pool.execute(CONSUMER_DDL)
    await pool.execute(read_model.ddl(Y2))
    yield pool
    await pool.close()


async def test_invalid_data_is_dead_lettered_and_the_projection_goes_on(
    pool: asyncpg.Pool, kafka: KafkaEndpoint
) -> None:
    boot = kafka.admin
    topics = await fresh_topics(boot)
    deadletters = await new_topic(boot, partitions=1)
    before = numbered(registered(1), service(1, "psychological_first_aid"))
    after = numbered(registered(2, "man"), service(2, "psychological_first_aid"))
    # A registration with an unknown sex: valid headers, a known type, data that fails its model.
    bad_id = str(uuid.uuid4())
    key, value, headers = to_kafka(
        envelope_for(registered(3), event_id=bad_id, time=datetime.now(UTC))
    )
    bad_value = orjson.dumps({**orjson.loads(value), "sex": "martian"})
    await produce(boot, topics, before)
    producer = AIOKafkaProducer(**boot.options(), acks="all")
    await producer.start()
    try:
        sent = await producer.send_and_wait(
            topic_of(topics, "participant.registered"), bad_value, key=key, headers=headers
        )
    finally:
        await producer.stop()
    await produce(boot, topics, after)
    async with projecting(pool, boot, topics, Y2, deadletters) as runner:
        ids = [i for i, _ in [*before, *after]]
        await wait_for_events(pool, runner.consumer, [*ids, bad_id], within=30)
    async with pool.acquire() as conn:
        _, ledger = await read_model.load_ledger(conn, Y2)
    assert ledger == ledger_of(Y2, [*before, *after])  # every valid event counted, once

    letters = await _dead_letters(boot, deadletters)
    assert len(letters) == 1
    (record,) = letters
    found = dict(record.headers)
    reason = found[DEADLETTER_REASON_HEADER].decode()
    assert "not a valid participant.registered" in reason
    assert "sex" in reason
    assert "martian" not in reason  # reasons never quote event data
    origin = f"{sent.topic}/{sent.partition}/{sent.offset}"
    assert found[DEADLETTER_ORIGIN_HEADER].decode() == origin
    assert found["ce_id"].decode() == bad_id  # the original headers travel with it
    assert record.value == bad_value


async def _dead_letters(bootstrap: KafkaAccess, topic: str) -> list[ConsumerRecord[bytes, bytes]]:
    consumer = AIOKafkaConsumer(**bootstrap.options(), enable_auto_commit=False)
    await consumer.start()
    try:
        tp = TopicPartition(topic, 0)
        consumer.assign([tp])
        await consumer.seek_to_beginning(tp)
        end = (await consumer.end_offsets([tp]))[tp]
        records: list[ConsumerRecord[bytes, bytes]] = []
        while len(records) < end:
            for batch in (await consumer.getmany(tp, timeout_ms=500)).values():
                records.extend(batch)
        return records
    finally:
        await consumer.stop()
