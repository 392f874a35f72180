"""Events travel as CloudEvents 1.0 in Kafka binary mode and come back unchanged."""

from datetime import UTC, datetime
from uuid import UUID, uuid4

import orjson
import pytest
from cloudevents.core.bindings import kafka as ce_kafka
from cloudevents.v1 import kafka as legacy_kafka

from contracts.envelope import Envelope, decode, envelope_for, from_kafka, to_kafka
from contracts.event import Event
from contracts.examples import example_event
from contracts.registry import REGISTRY, latest_version, schema_uri
from contracts.topics import source_for

LATEST = sorted(key for key in REGISTRY if key[1] == latest_version(key[0]))
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
EVENT_ID = UUID("6f1c3e0a-2b7d-4c55-9a8e-3f2d1b0c9e77")
WHEN = datetime(2022, 6, 7, 15, 30, 0, 123456, tzinfo=UTC)


def envelope_of(event: Event, traceparent: str | None = TRACEPARENT) -> Envelope:
    return envelope_for(event, event_id=EVENT_ID, time=WHEN, traceparent=traceparent)


@pytest.mark.parametrize(("event_type", "version"), LATEST)
def test_every_event_round_trips_through_kafka(event_type: str, version: int) -> None:
    event = example_event(event_type, version)
    envelope = envelope_of(event)

    key, value, headers = to_kafka(envelope)
    received = from_kafka(headers, value)

    assert received == envelope
    assert decode(received) == event
    assert key == str(event.aggregate_id).encode()
    assert received.subject == str(event.aggregate_id)
    assert received.dataschema == schema_uri(event_type, version)


def test_the_headers_are_the_cloudevents_binary_mode_attributes() -> None:
    event = example_event("voucher.redeemed", 1)

    _, value, headers = to_kafka(envelope_of(event))

    assert dict(headers) == {
        "ce_specversion": b"1.0",
        "ce_id": str(EVENT_ID).encode(),
        "ce_source": b"/pana/vouchers",
        "ce_type": b"voucher.redeemed",
        "ce_time": b"2022-06-07T15:30:00.123456Z",
        "ce_subject": str(event.aggregate_id).encode(),
        "ce_dataschema": b"https://schemas.pana.example/events/voucher.redeemed.v1.json",
        "ce_schemaversion": b"1",
        "content-type": b"application/json",
        "traceparent": TRACEPARENT.encode(),
    }
    assert orjson.loads(value)["amount"] == "142.50"


def test_traceparent_is_optional() -> None:
    _, value, headers = to_kafka(envelope_of(example_event("case.opened", 1), traceparent=None))

    assert "traceparent" not in dict(headers)
    assert from_kafka(headers, value).traceparent is None


@pytest.mark.parametrize(("event_type", "version"), LATEST)
def test_the_cloudevents_sdk_reads_our_messages(event_type: str, version: int) -> None:
    event = example_event(event_type, version)
    key, value, headers = to_kafka(envelope_of(event))

    parsed = ce_kafka.from_binary_event(
        ce_kafka.KafkaMessage(headers=dict(headers), key=key, value=value)
    )

    assert parsed.get_specversion() == "1.0"
    assert parsed.get_id() == str(EVENT_ID)
    assert parsed.get_type() == event_type
    assert parsed.get_source() == source_for(event_type)
    assert parsed.get_subject() == str(event.aggregate_id)
    assert parsed.get_time() == WHEN
    assert parsed.get_dataschema() == schema_uri(event_type, version)
    assert parsed.get_datacontenttype() == "application/json"
    assert parsed.get_extension("schemaversion") == str(version)
    assert parsed.get_data() == event.model_dump(mode="json")


def test_the_legacy_v1_sdk_api_reads_our_messages_too() -> None:
    event = example_event("referral.requested", 1)
    key, value, headers = to_kafka(envelope_of(event))

    parsed = legacy_kafka.from_binary(
        legacy_kafka.KafkaMessage(headers=dict(headers), key=key, value=value)
    )

    assert parsed["id"] == str(EVENT_ID)
    assert parsed["type"] == "referral.requested"
    assert parsed["subject"] == str(event.aggregate_id)
    assert parsed["schemaversion"] == "1"
    assert parsed.get_data() == event.model_dump(mode="json")


def test_envelope_time_must_be_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        envelope_for(
            example_event("case.opened", 1),
            event_id=uuid4(),
            time=datetime(2022, 6, 7, 15, 30),
        )
