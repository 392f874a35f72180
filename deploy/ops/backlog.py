"""How far behind the pipeline is: outbox rows not yet on Kafka, consumers behind the topics."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition

from eventkit.kafka_access import KafkaAccess


@dataclass(frozen=True)
class Lag:
    consumer: str
    topic: str
    partition: int
    next_offset: int
    end_offset: int

    @property
    def behind(self) -> int:
        return max(0, self.end_offset - self.next_offset)


async def outbox_backlog(database_url: str) -> int | None:
    """Events committed in this database but not yet acknowledged by Kafka (None: no outbox)."""
    conn = await asyncpg.connect(database_url)
    try:
        with contextlib.suppress(asyncpg.UndefinedTableError):
            return int(await conn.fetchval("SELECT count(*) FROM outbox"))
        return None
    finally:
        await conn.close()


async def consumer_lag(database_url: str, kafka_access: KafkaAccess) -> list[Lag]:
    """Per consumer and partition: the stored next offset against the partition's end."""
    conn = await asyncpg.connect(database_url)
    try:
        try:
            rows = await conn.fetch(
                "SELECT consumer, topic, partition, next_offset FROM consumer_offsets"
                " ORDER BY consumer, topic, partition"
            )
        except asyncpg.UndefinedTableError:
            return []
    finally:
        await conn.close()
    if not rows:
        return []
    kafka = AIOKafkaConsumer(**kafka_access.options())
    await kafka.start()
    try:
        partitions = [TopicPartition(r["topic"], r["partition"]) for r in rows]
        ends = await kafka.end_offsets(partitions)
    finally:
        await kafka.stop()
    return [
        Lag(r["consumer"], r["topic"], r["partition"], r["next_offset"], ends[tp])
        for r, tp in zip(rows, partitions, strict=True)
    ]
