"""The harness's positions on the session's broker (`tests.support.caught_up`, on
`eventkit.topic_offsets`): a topic that exists is seen with every partition, so a system started
at the end begins after what earlier modules wrote instead of (silently) replaying it, and a wait
for a consumer waits for something.
"""

from __future__ import annotations

import uuid

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer

from contracts.topics import Topic
from eventkit.topic_offsets import end_offsets
from eventkit.topics import ensure_topics
from tests.support.caught_up import caught_up, start_at_end
from tests.support.infrastructure import KafkaEndpoint

pytestmark = pytest.mark.integration


async def test_a_system_started_at_the_end_begins_after_every_record_already_there(
    kafka: KafkaEndpoint, database: str
) -> None:
    topic = f"caught-up-{uuid.uuid4().hex[:8]}"
    await ensure_topics(kafka.admin, [Topic(topic, partitions=3)])
    producer = AIOKafkaProducer(**kafka.admin.options(), enable_idempotence=True, acks="all")
    await producer.start()
    try:
        for n in range(7):
            await producer.send_and_wait(topic, b"earlier", partition=n % 3)
    finally:
        await producer.stop()

    ends = await end_offsets(kafka.admin, [topic])
    assert ends == {(topic, 0): 3, (topic, 1): 2, (topic, 2): 2}

    await start_at_end(database, ["late-starter"], kafka.admin, [topic])
    conn = await asyncpg.connect(database)
    try:
        rows = await conn.fetch(
            "SELECT topic, partition, next_offset FROM consumer_offsets WHERE consumer = $1",
            "late-starter",
        )
    finally:
        await conn.close()
    assert {(r["topic"], r["partition"]): r["next_offset"] for r in rows} == ends
    assert await caught_up(database, "late-starter", kafka.admin, [topic], within=5) >= 0
