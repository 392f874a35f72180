"""Version 1 of message.reached is still readable and comes out as version 2."""

from datetime import UTC, datetime
from uuid import uuid4

import pytest
from pydantic import ValidationError

from contracts.envelope import InvalidMessage, decode, envelope_for, from_kafka, to_kafka
from contracts.examples import example_data, example_event
from contracts.outreach import DeliveryMode, MessageReached, MessageReachedV1
from contracts.registry import REGISTRY, latest_version
from contracts.upcasting import UPCASTERS, decode_payload

V1_DATA = example_data()["message.reached.v1"]


def test_a_v1_message_on_kafka_is_decoded_as_v2() -> None:
    old = example_event("message.reached", 1)
    assert isinstance(old, MessageReachedV1)
    _, value, headers = to_kafka(envelope_for(old, event_id=uuid4(), time=datetime.now(UTC)))
    assert dict(headers)["ce_schemaversion"] == b"1"

    event = decode(from_kafka(headers, value))

    assert isinstance(event, MessageReached)
    assert event.version == 2
    assert event.delivery_mode is DeliveryMode.REMOTE  # it came by WhatsApp
    assert event.admin2 is None  # added to version 2 later: old messages carry none
    assert event.model_dump(exclude={"delivery_mode", "admin2"}) == old.model_dump()


@pytest.mark.parametrize(
    ("channel", "mode"),
    [
        ("whatsapp", DeliveryMode.REMOTE),
        ("social_network", DeliveryMode.REMOTE),
        ("fair", DeliveryMode.IN_PERSON),
        ("talk", DeliveryMode.IN_PERSON),
        ("community_health_agent", DeliveryMode.IN_PERSON),
    ],
)
def test_v1_delivery_mode_is_derived_from_the_channel(channel: str, mode: DeliveryMode) -> None:
    event = decode_payload("message.reached", 1, {**V1_DATA, "channel": channel})

    assert isinstance(event, MessageReached)
    assert event.delivery_mode is mode


def test_v2_data_is_read_as_is() -> None:
    v2 = example_event("message.reached", 2)

    assert decode_payload("message.reached", 2, v2.model_dump(mode="json")) == v2


def test_v1_data_is_checked_against_the_v1_schema() -> None:
    broken = {key: value for key, value in V1_DATA.items() if key != "channel"}

    with pytest.raises(ValidationError, match="MessageReachedV1"):
        decode_payload("message.reached", 1, broken)


def test_v2_without_delivery_mode_is_not_silently_upcast() -> None:
    with pytest.raises(InvalidMessage, match=r"message\.reached v2: delivery_mode: Field required"):
        decode(
            from_kafka(
                [
                    ("ce_specversion", b"1.0"),
                    ("ce_id", str(uuid4()).encode()),
                    ("ce_source", b"/pana/cases"),
                    ("ce_type", b"message.reached"),
                    ("ce_time", b"2022-06-03T15:30:00Z"),
                    ("ce_subject", V1_DATA["participant_id"].encode()),
                    ("ce_schemaversion", b"2"),
                ],
                example_event("message.reached", 1).model_dump_json().encode(),
            )
        )


@pytest.mark.parametrize(("event_type", "version"), sorted(REGISTRY))
def test_every_old_version_has_an_upcaster(event_type: str, version: int) -> None:
    if version < latest_version(event_type):
        assert (event_type, version) in UPCASTERS
    else:
        assert (event_type, version) not in UPCASTERS
