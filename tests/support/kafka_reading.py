"""Read a topic back from the beginning (no consumer group) until a condition holds."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition

from contracts.envelope import Envelope, from_kafka
from contracts.topics import Topic
from eventkit.kafka_access import KafkaAccess
from eventkit.topics import ensure_topics


@dataclass(frozen=True)
class Read:
    envelope: Envelope
    partition: int
    offset: int
    key: bytes | None


async def new_topic(bootstrap: KafkaAccess, partitions: int = 6) -> str:
    """A fresh topic for one test."""
    name = f"test.{uuid.uuid4().hex[:10]}"
    await ensure_topics(bootstrap, [Topic(name, partitions)])
    return name


async def read_until(
    bootstrap: KafkaAccess, topic: str, wanted_ids: set[str], within: float = 60.0
) -> list[Read]:
    """Every message of `topic` (in partition order) once all `wanted_ids` were seen."""
    consumer = AIOKafkaConsumer(**bootstrap.options(), enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        seen: set[str] = set()
        out: list[Read] = []
        deadline = time.monotonic() + within
        while not wanted_ids <= seen:
            if time.monotonic() > deadline:
                raise TimeoutError(f"saw {len(wanted_ids & seen)} of {len(wanted_ids)} events")
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                for r in records:
                    envelope = from_kafka(list(r.headers), r.value or b"")
                    seen.add(envelope.id)
                    out.append(Read(envelope, r.partition, r.offset, r.key))
        return out
    finally:
        await consumer.stop()


def assert_stream_order(reads: list[Read]) -> int:
    """Per stream, first occurrences come in version order with no gap; return the duplicates.

    A duplicate (same event id again, after a relay crash) is allowed anywhere after its first
    occurrence; a version seen before its predecessor is a broken order.
    """
    seen: set[str] = set()
    last: dict[str, int] = {}
    duplicates = 0
    for read in sorted(reads, key=lambda r: (r.partition, r.offset)):
        if read.envelope.id in seen:
            duplicates += 1
            continue
        seen.add(read.envelope.id)
        stream = read.envelope.subject
        version = int(read.envelope.data["n"])
        assert version == last.get(stream, 0) + 1, (stream, last.get(stream), version)
        last[stream] = version
    return duplicates
