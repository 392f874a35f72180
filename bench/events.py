"""Realistic event traffic for the projection benchmarks, published straight to Kafka.

Each event is a registered example (`contracts/examples.json`) with fresh ids (made as the
services make them, `eventkit.ids`), of the types the default logframe reads, in a fixed mix;
one participant in ten is registered and the other events refer to registered participants.
Every set of events goes to its own topics (one per aggregate family, partitioned like the real
ones), so a rebuild reads exactly that set.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from contracts.envelope import Envelope, to_kafka
from contracts.examples import example_data
from contracts.registry import latest_model, schema_uri
from contracts.topics import SOURCE_BY_AGGREGATE, TOPIC_BY_AGGREGATE, Topic
from eventkit.ids import new_id
from eventkit.kafka_access import KafkaAccess
from eventkit.topics import ensure_topics

MIX = (
    "participant.registered",
    "voucher.redeemed",
    "service.delivered",
    "case.opened",
    "referral.requested",
    "referral.completed",
    "message.reached",
    "voucher.redeemed",
    "service.delivered",
    "livelihood.outcome_recorded",
)
"""Ten events: one registration, nine acts that count towards indicators."""


@dataclass(frozen=True)
class EventSet:
    """`count` events published to their own topics, one per aggregate family."""

    prefix: str
    count: int

    @property
    def topics(self) -> dict[str, str]:
        return {aggregate: f"{self.prefix}.{aggregate}" for aggregate in TOPIC_BY_AGGREGATE}

    @property
    def names(self) -> list[str]:
        return list(self.topics.values())

    @property
    def partitions(self) -> list[TopicPartition]:
        return [
            TopicPartition(name, p)
            for aggregate, name in self.topics.items()
            for p in range(TOPIC_BY_AGGREGATE[aggregate].partitions)
        ]


def generate(count: int) -> Iterator[Envelope]:
    """`count` envelopes in the fixed mix, ids fresh, participants registered before use."""
    examples = example_data()
    versions = {t: _version(examples, t) for t in set(MIX)}
    participants: list[str] = []
    now = datetime.now(UTC)
    for n in range(count):
        event_type = MIX[n % len(MIX)]
        model = latest_model(event_type)
        version = versions[event_type]
        data = dict(examples[f"{event_type}.v{version}"])
        for name, value in data.items():
            if name.endswith("_id") and _is_uuid(value):
                data[name] = str(new_id())
        if event_type == "participant.registered":
            participants.append(data["participant_id"])
        elif "participant_id" in data:
            data["participant_id"] = participants[n // len(MIX) % len(participants)]
        yield Envelope(
            id=str(new_id()),
            source=SOURCE_BY_AGGREGATE[model.aggregate],
            type=event_type,
            time=now,
            subject=str(data[model.subject_field]),
            dataschema=schema_uri(event_type, version),
            version=version,
            traceparent=None,
            data=data,
        )


def _version(examples: dict[str, dict[str, Any]], event_type: str) -> int:
    """The latest version with an example (the one services emit now)."""
    return max(int(k.rsplit(".v", 1)[1]) for k in examples if k.startswith(event_type + ".v"))


def _is_uuid(value: object) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


async def _until_led(bootstrap: KafkaAccess, names: list[str]) -> None:
    """Wait until new topics' partitions have leaders (a producer would retry noisily)."""
    probe = AIOKafkaConsumer(**bootstrap.options())
    await probe.start()
    try:
        for _ in range(500):
            await probe._client.force_metadata_update()
            if all(probe.partitions_for_topic(name) for name in names):
                return
            await asyncio.sleep(0.02)
        raise TimeoutError("new topics never appeared in the metadata")
    finally:
        await probe.stop()


async def publish(bootstrap: KafkaAccess, prefix: str, count: int) -> EventSet:
    """Create the event set's topics and publish `count` events to them."""
    return await publish_envelopes(bootstrap, prefix, generate(count))


async def publish_envelopes(
    bootstrap: KafkaAccess, prefix: str, envelopes: Iterable[Envelope]
) -> EventSet:
    """Create an event set's topics and publish `envelopes` to them, in order (made as they
    are sent: a million events are never held at once)."""
    found = EventSet(prefix, 0)
    topics = found.topics
    await ensure_topics(
        bootstrap, [Topic(topics[a], TOPIC_BY_AGGREGATE[a].partitions) for a in topics]
    )
    await _until_led(bootstrap, found.names)
    producer = AIOKafkaProducer(
        **bootstrap.options(), enable_idempotence=True, acks="all", linger_ms=20
    )
    await producer.start()
    try:
        pending, count = [], 0
        for envelope in envelopes:
            count += 1
            key, value, headers = to_kafka(envelope)
            topic = topics[latest_model(envelope.type).aggregate]
            pending.append(await producer.send(topic, value, key=key, headers=headers))
            if len(pending) >= 10_000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return EventSet(prefix, count)
