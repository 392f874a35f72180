"""Wait until a consumer has applied everything its topics hold: a figure read earlier is a part
of the history.

A service's consumer that starts a new group replays its topics from the beginning, and the
session's topics keep what every earlier test module wrote. The indicators service is ready only
once its default logframe version has replayed (and not even that before the group is assigned
its partitions): a test that reads another version, or that reads before the assignment, must
wait for the consumer's stored offsets to reach the topics' end offsets itself.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition

from eventkit.kafka_access import KafkaAccess
from tests.support.waiting import until


async def end_offsets(access: KafkaAccess, topics: Sequence[str]) -> dict[tuple[str, int], int]:
    """Each partition's end offset now, as (topic, partition) -> offset."""
    reader = AIOKafkaConsumer(**access.options())
    await reader.start()
    try:
        await reader.topics()  # the cluster's metadata: every partition of every topic
        partitions = [
            TopicPartition(t, p)
            for t in topics
            for p in sorted(reader.partitions_for_topic(t) or ())
        ]
        ends = await reader.end_offsets(partitions)
    finally:
        await reader.stop()
    return {(tp.topic, tp.partition): offset for tp, offset in ends.items()}


async def caught_up(
    database_url: str,
    consumer: str,
    access: KafkaAccess,
    topics: Sequence[str],
    within: float = 120.0,
) -> float:
    """Return once `consumer` (its offsets stored in `database_url`, as `eventkit.consumer`
    keeps them) has applied every record `topics` hold now; the seconds it took."""
    ends = {key: end for key, end in (await end_offsets(access, topics)).items() if end > 0}
    conn = await asyncpg.connect(database_url)
    try:

        async def reached() -> bool:
            rows = await conn.fetch(
                "SELECT topic, partition, next_offset FROM consumer_offsets WHERE consumer = $1",
                consumer,
            )
            stored = {(r["topic"], r["partition"]): r["next_offset"] for r in rows}
            return all(stored.get(key, 0) >= end for key, end in ends.items())

        return await until(reached, within, f"{consumer} at its topics' end offsets {ends}")
    finally:
        await conn.close()
