"""Realistic event traffic for the projection benchmarks, published straight to Kafka.

Each event is a registered example (`contracts/examples.json`) with fresh ids (made as the
services make them, `eventkit.ids`), of the types the default logframe reads, in a fixed mix;
one participant in ten is registered and the other events refer to registered participants.
The events' dates are spread over the default logframe's period (`SPREAD`: each event its own
day, at the example's time of day) and each participant's over one of the four regions, so a
rebuild computes candidates on many days and cells in every region and published period, as a
program year's traffic does (the examples alone all fall on a few days before the period).
Every set of events goes to its own topics (one per aggregate family, partitioned like the real
ones), so a rebuild reads exactly that set.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
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

SPREAD = (date(2022, 9, 1), 365)
"""First day and number of days the events' dates are spread over: the period of the default
logframe (`pana_peru_2022_2023_y2`)."""

REGIONS = ("tumbes", "piura", "la_libertad", "lima_callao")
"""The regions participants are spread over, one in four each (Peru's program file)."""


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
            person = len(participants)
            participants.append(data["participant_id"])
        elif "participant_id" in data:
            person = n // len(MIX) % len(participants)
            data["participant_id"] = participants[person]
        else:
            person = n // len(MIX)
        if "region" in data:
            data["region"] = REGIONS[person % len(REGIONS)]
        _spread(data, n)
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


def _spread(data: dict[str, Any], n: int) -> None:
    """Move the event's moments (top-level ISO timestamps) to its own day within `SPREAD`,
    each by the same shift (a referral's answer-by stays a week after its request), and drop
    the example's province (it lies in the example's region, not in the one given)."""
    first, days = SPREAD
    on = first + timedelta(days=n * 7 % days)  # 7 and 365 share no factor: every day is used
    moments = {k: v for k, v in data.items() if isinstance(v, str) and _MOMENT.match(v)}
    if not moments:
        return
    base = min(datetime.fromisoformat(v) for v in moments.values())
    shift = datetime.combine(on, base.timetz()) - base
    for name, value in moments.items():
        data[name] = (datetime.fromisoformat(value) + shift).isoformat()
    data.pop("admin2", None)


_MOMENT = re.compile(r"\d{4}-\d\d-\d\dT")


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
