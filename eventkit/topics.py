"""Create the topics declared in `contracts.topics` at start-up (no broker auto-creation).

History lasts: every topic keeps its events forever (`retention.ms` and `retention.bytes` -1).
The broker's default would delete them after 7 days, and a rebuild or a new logframe version
would then replay a truncated history (people without their registrations) and say nothing.
A topic found with a finite retention (made before this rule, or by hand) is altered at start-up.
"""

from __future__ import annotations

from collections.abc import Iterable

import structlog
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from contracts.topics import Topic

log = structlog.get_logger("eventkit.topics")

KEEP_FOREVER: dict[str, str] = {"retention.ms": "-1", "retention.bytes": "-1"}
"""Topic configuration every declared topic gets: no time or size retention."""


async def ensure_topics(
    bootstrap_servers: str, topics: Iterable[Topic], replication_factor: int = 1
) -> list[str]:
    """Create each topic that does not exist yet, keeping history forever; make existing ones
    keep it too. Return the names created."""
    wanted = list(topics)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in wanted if t.name not in existing]
        if missing:
            await admin.create_topics(
                [
                    NewTopic(t.name, t.partitions, replication_factor, topic_configs=KEEP_FOREVER)
                    for t in missing
                ]
            )
        present = [t.name for t in wanted if t.name in existing]
        finite = [name for name, config in (await _retention(admin, present)).items()
                  if config != KEEP_FOREVER]  # fmt: skip
        if finite:
            # AlterConfigs (not incremental) sets the topic's whole dynamic configuration:
            # declared topics carry no other override.
            await admin.alter_configs(
                [ConfigResource(ConfigResourceType.TOPIC, name, KEEP_FOREVER) for name in finite]
            )
            log.warning("topics.retention_made_unlimited", topics=finite)
        return [t.name for t in missing]
    finally:
        await admin.close()


async def topic_retention(
    bootstrap_servers: str, names: Iterable[str]
) -> dict[str, dict[str, str]]:
    """`retention.ms` and `retention.bytes` of each topic, as the broker reports them."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        return await _retention(admin, list(names))
    finally:
        await admin.close()


async def _retention(admin: AIOKafkaAdminClient, names: list[str]) -> dict[str, dict[str, str]]:
    if not names:
        return {}
    responses = await admin.describe_configs(
        [ConfigResource(ConfigResourceType.TOPIC, name) for name in names]
    )
    found: dict[str, dict[str, str]] = {}
    for response in responses:
        for resource in response.resources:
            error_code, _message, _kind, name, entries = resource[:5]
            if error_code:
                raise RuntimeError(f"describing topic {name} failed (error code {error_code})")
            found[name] = {entry[0]: str(entry[1]) for entry in entries if entry[0] in KEEP_FOREVER}
    return found
