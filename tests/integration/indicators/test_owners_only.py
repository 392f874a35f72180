"""The projection counts only events from their topic's owner; the rest are dead-lettered.

The broker's ACLs keep other principals off a topic (`tests/integration/test_kafka_owners.py`);
this is the second line: an event whose CloudEvents `source` is not its topic's owner, or whose
type another service emits, is dead-lettered with the reason and the figures do not move. Real
topics, real principals: each event is published with the credentials that may write its topic.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from contracts.envelope import envelope_for, to_kafka
from contracts.event import Event
from contracts.topics import (
    CASES,
    DEADLETTER,
    DEADLETTER_REASON_HEADER,
    PARTICIPANTS,
    REFERRALS,
    VOUCHERS,
    topic_for,
)
from eventkit.consumer import ConsumerRunner
from eventkit.kafka_access import KafkaAccess
from eventkit.positions import wait_for_events
from eventkit.schema import CONSUMER_DDL
from services.indicators import read_model
from services.indicators.logframe import load_directory
from services.indicators.projection import AttainmentProjection
from tests.support.infrastructure import KafkaEndpoint
from tests.support.store import open_pool
from tests.unit.indicators.builders import case_opened, ledger_of, numbered, registered, service

pytestmark = pytest.mark.integration
Y2 = load_directory()["pana_peru_y2_v1"].model_copy(update={"key": "owners_only"})
TOPICS = (PARTICIPANTS, CASES, REFERRALS, VOUCHERS)


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await open_pool(database)
    await pool.execute(CONSUMER_DDL)
    await pool.execute(read_model.ddl(Y2))
    yield pool
    await pool.close()


async def _ends(kafka: KafkaEndpoint) -> dict[TopicPartition, int]:
    reader = AIOKafkaConsumer(**kafka.admin.options())
    await reader.start()
    try:
        partitions = [
            TopicPartition(t.name, p) for t in (*TOPICS, DEADLETTER) for p in range(t.partitions)
        ]
        return dict(await reader.end_offsets(partitions))
    finally:
        await reader.stop()


async def _publish(
    access: KafkaAccess, event_id: str, event: Event, source: str, topic: str | None = None
) -> None:
    envelope = envelope_for(event, event_id=event_id, time=datetime.now(UTC), source=source)
    key, value, headers = to_kafka(envelope)
    producer = AIOKafkaProducer(**access.options(), enable_idempotence=True, acks="all")
    await producer.start()
    try:
        where = topic or topic_for(event.event_type)
        await producer.send_and_wait(where, value, key=key, headers=headers)
    finally:
        await producer.stop()


async def _dead_letters(
    kafka: KafkaEndpoint, since: dict[TopicPartition, int], ids: set[str], within: float = 30
) -> dict[str, str]:
    """The reason of each of `ids` dead-lettered after `since`, once all are there."""
    reader = AIOKafkaConsumer(**kafka.admin.options(), enable_auto_commit=False)
    await reader.start()
    found: dict[str, str] = {}
    try:
        partitions = [tp for tp in since if tp.topic == DEADLETTER.name]
        reader.assign(partitions)
        for tp in partitions:
            reader.seek(tp, since[tp])
        deadline = time.monotonic() + within
        while not ids <= set(found):
            assert time.monotonic() < deadline, f"dead-lettered: {sorted(found)} of {ids}"
            for records in (await reader.getmany(timeout_ms=500)).values():
                for record in records:
                    headers = {k: v.decode() for k, v in record.headers}
                    found[headers["ce_id"]] = headers[DEADLETTER_REASON_HEADER]
        return found
    finally:
        await reader.stop()


async def test_an_event_not_from_its_topics_owner_is_dead_lettered(
    pool: asyncpg.Pool, kafka: KafkaEndpoint
) -> None:
    # Earlier tests' events are on the shared topics: the projection starts at their ends.
    start = await _ends(kafka)
    consumer = f"indicators-owners-{uuid.uuid4().hex[:8]}.{Y2.key}"
    await pool.executemany(
        "INSERT INTO consumer_offsets (consumer, topic, partition, next_offset)"
        " VALUES ($1, $2, $3, $4)",
        [(consumer, tp.topic, tp.partition, offset) for tp, offset in start.items()],
    )
    cases, vouchers = kafka.access("cases"), kafka.access("vouchers")
    person, invented = 880_001, 880_002
    # The cases principal may write the participants and cases topics, but claims to be the
    # vouchers service: a forged `source`.
    (forged_source,) = numbered(registered(invented))
    await _publish(cases, *forged_source, source="/pana/vouchers")
    (forged_case,) = numbered(case_opened(invented))
    await _publish(cases, *forged_case, source="/pana/referrals")
    # The owner's own events, as its relay publishes them.
    legit = numbered(registered(person), service(person, "psychological_first_aid"))
    for event_id, event in legit:
        await _publish(cases, event_id, event, source="/pana/cases")
    # Vouchers may write only its own topic: there it puts another service's event type, once
    # claiming that service's source, once its own.
    (as_cases,) = numbered(registered(invented + 1))
    await _publish(vouchers, *as_cases, source="/pana/cases", topic=VOUCHERS.name)
    (as_vouchers,) = numbered(case_opened(invented + 2))
    await _publish(vouchers, *as_vouchers, source="/pana/vouchers", topic=VOUCHERS.name)

    runner = ConsumerRunner(
        pool,
        kafka.access("indicators"),
        consumer=consumer,
        topics=[t.name for t in TOPICS],
        projection=AttainmentProjection(Y2),
        max_batch=50,
    )
    running = asyncio.create_task(runner.run())
    try:
        await wait_for_events(pool, consumer, [i for i, _ in legit], within=30)
        forged = {forged_source[0], forged_case[0], as_cases[0], as_vouchers[0]}
        reasons = await _dead_letters(kafka, start, forged)
    finally:
        runner.stop()
        await running

    assert reasons[forged_source[0]] == (
        f"source is not the owner of {PARTICIPANTS.name} (/pana/cases)"
    )
    assert reasons[forged_case[0]] == f"source is not the owner of {CASES.name} (/pana/cases)"
    assert reasons[as_cases[0]] == f"source is not the owner of {VOUCHERS.name} (/pana/vouchers)"
    assert reasons[as_vouchers[0]] == (
        f"case.opened is not an event of {VOUCHERS.name}'s owner (/pana/vouchers)"
    )
    async with pool.acquire() as conn:
        _, ledger = await read_model.load_ledger(conn, Y2)
        applied = await conn.fetchval(
            "SELECT count(*) FROM processed_events WHERE consumer = $1", consumer
        )
    assert ledger == ledger_of(Y2, legit)  # the figures hold the owner's events only
    assert applied == len(legit)
