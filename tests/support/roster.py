"""Seed a service's copy of who exists and where (`roster`) through real events on Kafka.

The referrals and vouchers services refuse commands naming a participant or case their copy
does not know. Tests that run one of them alone announce registrations and cases as the cases
service's relay does, then wait until the copy applied them (a condition, never a sleep).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer

from contracts.cases import CaseOpened
from contracts.envelope import envelope_for, to_kafka
from contracts.event import Event
from contracts.participants import ParticipantRegistered
from contracts.people import Sex
from contracts.topics import topic_for
from contracts.vocabulary import IntakeChannel, Region
from eventkit.kafka_access import KafkaAccess
from eventkit.positions import wait_for_events
from tests.support.peru import CaseType
from tests.support.services import RunningService


async def publish(cases_kafka: KafkaAccess, events: Sequence[Event]) -> dict[str, str]:
    """Publish each event to its topic as the cases service's relay does, as its principal;
    return each event id with its topic."""
    producer = AIOKafkaProducer(**cases_kafka.options(), enable_idempotence=True, acks="all")
    published: dict[str, str] = {}
    await producer.start()
    try:
        for event in events:
            envelope = envelope_for(event, event_id=uuid.uuid4(), time=datetime.now(UTC))
            key, value, headers = to_kafka(envelope)
            topic = topic_for(event.event_type)
            await producer.send_and_wait(topic, value, key=key, headers=headers)
            published[envelope.id] = topic
    finally:
        await producer.stop()
    return published


async def announce(service: RunningService, events: Sequence[Event]) -> dict[str, str]:
    """`publish` as the cases principal the fixture set (`app.state.test_cases_kafka`), once
    the service's roster consumer applied them all."""
    published = await publish(service.app.state.test_cases_kafka, events)
    settings = service.app.state.settings
    await wait_for_events(
        service.app.state.pool, settings.roster_consumer, list(published), within=30
    )
    return published


def case_of(participant_id: str) -> str:
    """The one case these tests open for a participant (a fixed id, so bodies can name it)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"case/{participant_id}"))


def registration(
    participant_id: str, region: str = "lima_callao", case_type: CaseType = CaseType.GBV_PROTECTION
) -> list[Event]:
    """The events of a participant registered in `region`, with one case opened there."""
    person, now, by = uuid.UUID(participant_id), datetime.now(UTC), uuid.uuid4()
    return [
        ParticipantRegistered(
            participant_id=person, sex=Sex.WOMAN, birth_year_month="1994-03", nationality="VEN",
            region=Region(region), registered_by=by, registered_at=now,
        ),
        CaseOpened(
            case_id=uuid.UUID(case_of(participant_id)), participant_id=person,
            case_type=case_type, intake_channel=IntakeChannel.HOTLINE,
            region=Region(region), caseworker_id=by, opened_at=now,
        ),
    ]  # fmt: skip


async def register(
    service: RunningService, participant_id: str | None = None, region: str = "lima_callao"
) -> str:
    """A participant (new unless given) registered in `region` with one case (`case_of`),
    known to the service's copy; returns the participant id."""
    participant_id = participant_id or str(uuid.uuid4())
    await announce(service, registration(participant_id, region))
    return participant_id
