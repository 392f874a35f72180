"""Create the topics declared in `contracts.topics` at start-up (no broker auto-creation)."""

from __future__ import annotations

from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from contracts.topics import Topic
from eventkit.kafka_access import KafkaAccess, as_access


async def ensure_topics(
    kafka: KafkaAccess | str, topics: Iterable[Topic], replication_factor: int = 1
) -> list[str]:
    """Create each topic that does not exist yet; return the names created.

    A service's principal may describe every topic but create none: where an operator (or the
    local stack's admin) created them first, this only checks they are there.
    """
    admin = AIOKafkaAdminClient(**as_access(kafka).options())
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t.name not in existing]
        if missing:
            await admin.create_topics(
                [NewTopic(t.name, t.partitions, replication_factor) for t in missing]
            )
        return [t.name for t in missing]
    finally:
        await admin.close()
