"""History on Kafka: find topics whose log lost its beginning, and restore them.

The services' event stores are the source of truth; a topic is a copy. `republish` rebuilds a
service's topics from its store: it deletes and recreates them (so their logs start at offset 0
again, kept forever), queues every stored event in the outbox again and runs the service's own
relay until the outbox is empty: same event ids, keys, CloudEvents headers and traceparents,
each aggregate's events in the order they were stored. Every consumer's stored offsets for those
topics are then dropped, so it reads them again from the start; consumers skip the event ids
they applied before, so republishing (once or twice) changes no figure.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Mapping

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from contracts.topics import SOURCE_BY_AGGREGATE, TOPIC_BY_AGGREGATE, Topic, topic_for
from eventkit.kafka_access import KafkaAccess, as_access
from eventkit.relay import OutboxRelay
from eventkit.topic_offsets import beginning_offsets
from eventkit.topics import ensure_topics


class HistoryIncomplete(RuntimeError):
    """A topic's log no longer starts at offset 0: replaying it would give partial figures."""


def owned_topics(service: str) -> list[Topic]:
    """The topics a service publishes (its aggregates' topics)."""
    source = f"/pana/{service}"
    return list(
        dict.fromkeys(
            TOPIC_BY_AGGREGATE[aggregate]
            for aggregate, owner in SOURCE_BY_AGGREGATE.items()
            if owner == source
        )
    )


async def truncated_partitions(kafka: KafkaAccess | str, topics: Iterable[str]) -> list[str]:
    """`topic[partition] starts at offset N` for each partition whose log lost its start."""
    starts = await beginning_offsets(kafka, topics)
    return [
        f"{topic}[{partition}] starts at offset {offset}"
        for (topic, partition), offset in sorted(starts.items())
        if offset > 0
    ]


async def refuse_if_truncated(kafka: KafkaAccess | str, topics: Iterable[str]) -> None:
    """Raise `HistoryIncomplete` naming every partition whose log no longer starts at 0."""
    lost = await truncated_partitions(kafka, topics)
    if lost:
        raise HistoryIncomplete(
            f"{'; '.join(lost)}, not 0: events were deleted from Kafka, a replay would give "
            "partial figures; restore the topics first (`pana-ops republish --service ...`)"
        )


async def republish(
    database_url: str,
    admin: KafkaAccess | str,
    owner: KafkaAccess | str,
    topics: list[Topic],
    *,
    source: str,
    consumer_databases: Mapping[str, str],
    route: Callable[[str], str] = topic_for,
    within: float = 600.0,
) -> int:
    """Recreate `topics` from the event store at `database_url`; return the events published.

    `admin` deletes and creates the topics, `owner` (the service's own principal) publishes.
    Every service must be stopped: a live relay could publish a new event before the old ones,
    and live consumers keep offsets in memory.
    """
    await _recreate(admin, topics, within)
    conn = await asyncpg.connect(database_url)
    try:
        queued = await conn.fetchval(
            "WITH q AS (INSERT INTO outbox (position) SELECT position FROM events "
            "ON CONFLICT DO NOTHING RETURNING 1) SELECT count(*) FROM q"
        )
        total = int(await conn.fetchval("SELECT count(*) FROM events"))
        relay = OutboxRelay(database_url, owner, source=source, route=route)
        running = asyncio.create_task(relay.run())
        try:
            deadline = time.monotonic() + within
            while await conn.fetchval("SELECT count(*) FROM outbox"):
                if time.monotonic() > deadline or running.done():
                    raise TimeoutError(f"{queued} events queued, not all published in time")
                await asyncio.sleep(0.1)  # polling the outbox the relay empties
        finally:
            relay.stop()
            await running
    finally:
        await conn.close()
    names = [t.name for t in topics]
    for url in consumer_databases.values():
        await _forget_offsets(url, names)
    return total


async def _recreate(kafka: KafkaAccess | str, topics: list[Topic], within: float) -> None:
    names = [t.name for t in topics]
    admin = AIOKafkaAdminClient(**as_access(kafka).options())
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        if doomed := [n for n in names if n in existing]:
            await admin.delete_topics(doomed)
        deadline = time.monotonic() + within
        while set(await admin.list_topics()) & set(names):  # deletion is asynchronous
            if time.monotonic() > deadline:
                raise TimeoutError(f"topics {names} were not deleted in time")
            await asyncio.sleep(0.1)
    finally:
        await admin.close()
    deadline = time.monotonic() + within
    while True:
        try:
            await ensure_topics(kafka, topics)
            return
        except KafkaError:  # the broker may still be finishing the deletion
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)


async def _forget_offsets(database_url: str, topics: list[str]) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        if await conn.fetchval("SELECT to_regclass('consumer_offsets') IS NOT NULL"):
            await conn.execute("DELETE FROM consumer_offsets WHERE topic = ANY($1)", topics)
    finally:
        await conn.close()
