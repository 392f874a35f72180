"""The infrastructure itself: a real broker and a real PostgreSQL server behave as we rely on."""

from __future__ import annotations

import uuid

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from tests.support.infrastructure import KafkaEndpoint

pytestmark = pytest.mark.integration


async def test_idempotent_producer_and_consumer_group_round_trip(kafka: KafkaEndpoint) -> None:
    topic = f"roundtrip-{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(**kafka.admin.options())
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
    finally:
        await admin.close()
    producer = AIOKafkaProducer(**kafka.admin.options(), enable_idempotence=True, acks="all")
    await producer.start()
    try:
        sent = {f"key-{i % 5}": [] for i in range(5)}  # type: dict[str, list[bytes]]
        for i in range(50):
            key = f"key-{i % 5}"
            value = f"{key}:{i}".encode()
            await producer.send_and_wait(topic, value, key=key.encode())
            sent[key].append(value)
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(
        topic,
        **kafka.admin.options(),
        group_id=f"g-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    received: dict[str, list[bytes]] = {}
    try:
        while sum(len(v) for v in received.values()) < 50:
            batch = await consumer.getmany(timeout_ms=5000)
            assert batch, "no message within 5 s"
            for records in batch.values():
                for record in records:
                    assert record.key is not None and record.value is not None
                    received.setdefault(record.key.decode(), []).append(record.value)
        await consumer.commit()
    finally:
        await consumer.stop()
    assert received == sent  # every message once, per-key order intact


async def test_transaction_commits_and_rolls_back(database: str) -> None:
    conn = await asyncpg.connect(database)
    try:
        await conn.execute("CREATE TABLE t (id int PRIMARY KEY)")
        async with conn.transaction():
            await conn.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(RuntimeError, match="abort"):
            async with conn.transaction():
                await conn.execute("INSERT INTO t VALUES (2)")
                raise RuntimeError("abort")
        assert [r["id"] for r in await conn.fetch("SELECT id FROM t ORDER BY id")] == [1]
        with pytest.raises(asyncpg.UniqueViolationError):
            async with conn.transaction():
                await conn.execute("INSERT INTO t VALUES (3)")
                await conn.execute("INSERT INTO t VALUES (1)")
        assert [r["id"] for r in await conn.fetch("SELECT id FROM t ORDER BY id")] == [1]
    finally:
        await conn.close()
