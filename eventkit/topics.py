"""Create the topics declared in `contracts.topics` at start-up (no broker auto-creation)."""

from __future__ import annotations

from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from contracts.topics import Topic


async def ensure_topics(
    bootstrap_servers: str, topics: Iterable[Topic], replication_factor: int = 1
) -> list[str]:
    """Create each topic that does not exist yet; return the names created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
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
