"""Events only from their owners: the real broker refuses every publish but the owner's.

Issue 20, point 3: a script on the Kafka port published `case.opened`, `service.delivered` and
`voucher.redeemed` for invented people and the exact figures rose. Now the broker refuses a
client without credentials or with a wrong password, refuses each service's principal on every
topic but its own (TopicAuthorizationFailed), and refuses the indicators and reader principals
on every event topic. What was refused never reaches the topic (its end offsets do not move).
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from datetime import UTC, datetime

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError, TopicAuthorizationFailedError

from contracts.envelope import envelope_for, to_kafka
from contracts.event import Event
from contracts.topics import CASES, PARTICIPANTS, REFERRALS, VOUCHERS
from deploy.kafka_principals import EVENT_TOPICS, PRINCIPALS
from eventkit.kafka_access import KafkaAccess
from tests.support.infrastructure import KafkaEndpoint
from tests.unit.indicators.builders import case_opened, redeemed, referral_requested, registered

pytestmark = pytest.mark.integration

OWN_TOPICS = {
    "cases": {PARTICIPANTS.name, CASES.name},
    "referrals": {REFERRALS.name},
    "vouchers": {VOUCHERS.name},
    "indicators": set(),
    "reader": set(),
}


@pytest.fixture(autouse=True)
def _authenticated(kafka: KafkaEndpoint) -> None:
    if not kafka.authenticated:
        pytest.fail("the test broker must require SCRAM (the local harness does)")


def _event_for(topic: str) -> Event:
    """A well-formed event of the kind `topic` carries, for an invented person."""
    person = 990_001
    events = {
        PARTICIPANTS.name: lambda: registered(person),
        CASES.name: lambda: case_opened(person),
        REFERRALS.name: lambda: referral_requested(person),
        VOUCHERS.name: lambda: redeemed(person, person),
    }
    return events[topic]()


async def _ends(kafka: KafkaEndpoint) -> dict[TopicPartition, int]:
    reader = AIOKafkaConsumer(**kafka.admin.options())
    await reader.start()
    try:
        partitions = [
            TopicPartition(topic.name, p)
            for topic in (PARTICIPANTS, CASES, REFERRALS, VOUCHERS)
            for p in range(topic.partitions)
        ]
        return dict(await reader.end_offsets(partitions))
    finally:
        await reader.stop()


async def _publish(access: KafkaAccess, topic: str, *, idempotent: bool = False) -> None:
    key, value, headers = to_kafka(
        envelope_for(_event_for(topic), event_id=uuid.uuid4(), time=datetime.now(UTC))
    )
    producer = AIOKafkaProducer(
        **access.options(), acks="all", enable_idempotence=idempotent, request_timeout_ms=10_000
    )
    try:
        await asyncio.wait_for(producer.start(), 20)
        await asyncio.wait_for(producer.send_and_wait(topic, value, key=key, headers=headers), 20)
    finally:
        await producer.stop()


async def test_no_credentials_no_publish(kafka: KafkaEndpoint) -> None:
    before = await _ends(kafka)
    anonymous = KafkaAccess(kafka.bootstrap_servers)  # PLAINTEXT: what a script would try
    wrong = dataclasses.replace(kafka.access("cases"), password="not-the-password")
    for access in (anonymous, wrong):
        for topic in EVENT_TOPICS:
            with pytest.raises((KafkaError, TimeoutError)):
                await _publish(access, topic)
    assert await _ends(kafka) == before  # nothing reached any event topic


async def test_each_principal_writes_only_its_own_topics(kafka: KafkaEndpoint) -> None:
    assert {p.name for p in PRINCIPALS} == set(OWN_TOPICS)
    refused: dict[str, set[str]] = {}
    for principal, own in OWN_TOPICS.items():
        access = kafka.access(principal)
        for topic in EVENT_TOPICS:
            if topic in own:
                continue
            before = await _ends(kafka)
            with pytest.raises(TopicAuthorizationFailedError):
                await _publish(access, topic)
            refused.setdefault(principal, set()).add(topic)
            assert await _ends(kafka) == before, (principal, topic)
    # Another service's credentials cannot publish, e.g. vouchers to the cases topic.
    assert CASES.name in refused["vouchers"]
    # The indicators and partners (reader) write no event topic at all.
    assert refused["indicators"] == refused["reader"] == set(EVENT_TOPICS)


async def test_the_owner_publishes_as_its_relay_does(kafka: KafkaEndpoint) -> None:
    # As the services' relays do (idempotent producer): each owner on each of its topics.
    for principal in ("cases", "referrals", "vouchers"):
        for topic in sorted(OWN_TOPICS[principal]):
            before = await _ends(kafka)
            await _publish(kafka.access(principal), topic, idempotent=True)
            after = await _ends(kafka)
            grown = {tp.topic for tp in after if after[tp] > before[tp]}
            assert grown == {topic}


async def _read(access: KafkaAccess, topic: str) -> None:
    """Fetch from `topic`'s first partition (no consumer group); raise when refused."""
    consumer = AIOKafkaConsumer(**access.options(), enable_auto_commit=False)
    await consumer.start()
    try:
        tp = TopicPartition(topic, 0)
        consumer.assign([tp])
        await consumer.seek_to_beginning(tp)
        await consumer.getmany(tp, timeout_ms=2000)
        await consumer.position(tp)
    finally:
        await consumer.stop()


async def test_a_service_reads_only_what_it_consumes(kafka: KafkaEndpoint) -> None:
    # Readers of the participants and cases topics: referrals (consent, roster), vouchers
    # (roster), indicators; partners' reader. Nobody but indicators and readers reads the
    # referrals and vouchers topics, and cases reads nothing.
    for principal in ("referrals", "vouchers", "indicators", "reader"):
        await _read(kafka.access(principal), PARTICIPANTS.name)
        await _read(kafka.access(principal), CASES.name)
    refused = [("vouchers", REFERRALS.name), ("cases", VOUCHERS.name),
               ("referrals", VOUCHERS.name), ("cases", PARTICIPANTS.name)]  # fmt: skip
    for principal, topic in refused:
        with pytest.raises(TopicAuthorizationFailedError):
            await _read(kafka.access(principal), topic)
