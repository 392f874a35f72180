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
from eventkit.kafka_access import KafkaAccess, as_access

log = structlog.get_logger("eventkit.topics")

KEEP_FOREVER: dict[str, str] = {"retention.ms": "-1", "retention.bytes": "-1"}
"""Topic configuration every declared topic gets: no time or size retention."""


async def ensure_topics(
    kafka: KafkaAccess | str, topics: Iterable[Topic], replication_factor: int = 1
) -> list[str]:
    """Create each topic that does not exist yet, keeping history forever; make existing ones
    keep it too where this principal may. Return the names created.

    A service's principal may describe every topic but create or alter none: where an operator
    (or the local stack's admin, which runs this at start-up) created them first, this only
    checks they are there.
    """
    wanted = list(topics)
    admin = AIOKafkaAdminClient(**as_access(kafka).options())
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
            answers = await admin.alter_configs(
                [ConfigResource(ConfigResourceType.TOPIC, name, KEEP_FOREVER) for name in finite]
            )
            refused = [r[3] for a in answers for r in a.resources if r[0]]
            if refused:  # a service's principal may not: the admin does it at start-up
                log.error("topics.retention_finite", topics=refused)
            else:
                log.warning("topics.retention_made_unlimited", topics=finite)
        return [t.name for t in missing]
    finally:
        await admin.close()


async def topic_retention(
    kafka: KafkaAccess | str, names: Iterable[str]
) -> dict[str, dict[str, str]]:
    """`retention.ms` and `retention.bytes` of each topic, as the broker reports them."""
    admin = AIOKafkaAdminClient(**as_access(kafka).options())
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
            if error_code:  # e.g. a principal not allowed to read topic configurations
                log.warning("topics.retention_unknown", topic=name, error_code=error_code)
                continue
            found[name] = {entry[0]: str(entry[1]) for entry in entries if entry[0] in KEEP_FOREVER}
    return found
