"""A message that cannot be read raises InvalidMessage with a reason fit for the dead letter."""

from collections.abc import Callable
from datetime import UTC, datetime
from uuid import uuid4

import orjson
import pytest

from contracts.envelope import (
    InvalidMessage,
    KafkaHeaders,
    decode,
    envelope_for,
    from_kafka,
    to_kafka,
)
from contracts.examples import example_data, example_event

Record = tuple[KafkaHeaders, bytes]


def redeemed_record() -> Record:
    event = example_event("voucher.redeemed", 1)
    envelope = envelope_for(event, event_id=uuid4(), time=datetime.now(UTC))
    _, value, headers = to_kafka(envelope)
    return headers, value


def with_header(name: str, value: bytes | None) -> Callable[[Record], Record]:
    def change(record: Record) -> Record:
        headers, body = record
        kept = [(key, val) for key, val in headers if key != name]
        return (kept if value is None else [*kept, (name, value)]), body

    return change


def with_value(value: bytes) -> Callable[[Record], Record]:
    return lambda record: (record[0], value)


def with_extra_header(name: str, value: bytes) -> Callable[[Record], Record]:
    return lambda record: ([*record[0], (name, value)], record[1])


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (with_value(b"{not json"), "value is not valid JSON"),
        (with_value(b"[1, 2]"), "value is not a JSON object"),
        (with_header("ce_type", b"voucher.teleported"), "unknown event type 'voucher.teleported'"),
        (with_header("ce_schemaversion", b"3"), "unknown future version 3 of 'voucher.redeemed'"),
        (with_header("ce_schemaversion", b"one"), "ce_schemaversion 'one' is not a positive"),
        (with_header("ce_id", None), "missing required header(s): ce_id"),
        (with_header("ce_id", b"42"), "ce_id is not a UUID"),
        (with_header("ce_specversion", b"0.3"), "unsupported ce_specversion '0.3'"),
        (with_header("ce_time", b"yesterday"), "ce_time 'yesterday' is not an RFC 3339"),
        (with_header("ce_time", b"2022-06-07T10:00:00"), "ce_time has no UTC offset"),
        (with_header("content-type", b"text/plain"), "unsupported content-type 'text/plain'"),
        (with_header("ce_source", b"\xff\xfe"), "header ce_source is not UTF-8"),
        (with_extra_header("ce_type", b"case.opened"), "duplicate header ce_type"),
    ],
)
def test_an_unreadable_message_names_its_problem(
    change: Callable[[Record], Record], reason: str
) -> None:
    headers, value = change(redeemed_record())

    with pytest.raises(InvalidMessage) as raised:
        from_kafka(headers, value)

    assert reason in raised.value.reason
    assert str(raised.value) == raised.value.reason


def test_a_message_without_headers_is_missing_all_of_them() -> None:
    with pytest.raises(InvalidMessage, match="missing required header") as raised:
        from_kafka(None, b"{}")

    assert "ce_id" in raised.value.reason
    assert "ce_type" in raised.value.reason


def test_data_that_does_not_match_its_schema_is_reported_by_field() -> None:
    headers, value = redeemed_record()
    data = orjson.loads(value)
    del data["amount"]
    data["region"] = "not a region"

    envelope = from_kafka(headers, orjson.dumps(data))

    with pytest.raises(InvalidMessage) as raised:
        decode(envelope)
    assert raised.value.reason.startswith("data is not a valid voucher.redeemed v1: ")
    assert "amount: Field required" in raised.value.reason
    assert "region: String should match pattern" in raised.value.reason


def test_the_reason_never_quotes_the_data() -> None:
    headers, value = redeemed_record()
    smuggled = {**orjson.loads(value), "full_name": "Maria Perez", "amount": "-99999.00"}

    with pytest.raises(InvalidMessage) as raised:
        decode(from_kafka(headers, orjson.dumps(smuggled)))

    assert "full_name: Extra inputs are not permitted" in raised.value.reason
    assert "Maria" not in raised.value.reason
    assert "99999" not in raised.value.reason


def test_a_subject_that_is_not_the_aggregate_id_is_refused() -> None:
    headers, value = with_header("ce_subject", str(uuid4()).encode())(redeemed_record())

    with pytest.raises(InvalidMessage, match="ce_subject does not match voucher_id"):
        decode(from_kafka(headers, value))


def test_a_malformed_traceparent_is_dropped_not_fatal() -> None:
    headers, value = with_header("traceparent", b"garbage")(redeemed_record())

    envelope = from_kafka(headers, value)

    assert envelope.traceparent is None
    assert decode(envelope) == example_event("voucher.redeemed", 1)
    assert orjson.loads(value) == example_data()["voucher.redeemed.v1"]
