"""Where each partition of some topics begins and ends now, as the broker says.

A fresh Kafka client holds no topic in its metadata (its bootstrap asks for none), and
`partitions_for_topic` reads only that metadata: asked at once, every topic would look as if it
had no partition, so a truncated log would go unseen and a wait for a topic's end would wait
for nothing. The client's metadata is refreshed first. A topic not created yet has no partition
here: it holds no history.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from aiokafka import AIOKafkaConsumer, TopicPartition

from eventkit.kafka_access import KafkaAccess, as_access

Offsets = dict[tuple[str, int], int]
"""(topic, partition) -> offset."""


async def beginning_offsets(kafka: KafkaAccess | str, topics: Iterable[str]) -> Offsets:
    """The first offset each partition of `topics` still holds (0 unless its log lost its start)."""
    return await _offsets(kafka, topics, "beginning")


async def end_offsets(kafka: KafkaAccess | str, topics: Iterable[str]) -> Offsets:
    """The offset the next record of each partition of `topics` will have."""
    return await _offsets(kafka, topics, "end")


async def _offsets(
    kafka: KafkaAccess | str, topics: Iterable[str], which: Literal["beginning", "end"]
) -> Offsets:
    consumer = AIOKafkaConsumer(**as_access(kafka).options(), enable_auto_commit=False)
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()
        partitions = [
            TopicPartition(topic, p)
            for topic in topics
            for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        if not partitions:
            return {}
        ask = consumer.beginning_offsets if which == "beginning" else consumer.end_offsets
        found = await ask(partitions)
    finally:
        await consumer.stop()
    return {(tp.topic, tp.partition): offset for tp, offset in found.items()}
