"""The CloudEvents 1.0 envelope of every event on Kafka, in **binary content mode**.

A message is: key = the aggregate id (UTF-8), value = the event data as plain JSON, and the
CloudEvents attributes as ``ce_*`` headers, plus ``content-type`` and W3C ``traceparent``.

Why binary mode rather than structured mode (the whole CloudEvent as the JSON value):

- consumers route, filter and dedupe on headers (``ce_id``, ``ce_type``, ``ce_schemaversion``)
  without parsing the body, and a dead-letter message keeps its headers as they were;
- the value is exactly the event JSON that the generated JSON Schema describes, so schema
  validators and humans reading the topic see the data without a wrapper;
- it is the CloudEvents Kafka protocol binding as written, so the CloudEvents SDKs (and other
  tools) read our messages; ``traceparent`` is the header OpenTelemetry's Kafka propagation uses.

The schema version travels twice: in ``ce_dataschema`` (the ``$id`` of the JSON Schema) and in
the ``ce_schemaversion`` extension (CloudEvents extension names are lowercase alphanumerics, so
no underscore), which consumers read without parsing a URI. ``ce_id`` (a UUID) is the one
identity used for dedupe everywhere.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import orjson
from pydantic import ValidationError

from contracts.envelope_headers import format_time, read_headers
from contracts.event import Event
from contracts.registry import UnknownEventType, UnknownEventVersion, schema_uri
from contracts.topics import source_for
from contracts.upcasting import decode_payload

KafkaHeaders = list[tuple[str, bytes]]


class InvalidMessage(ValueError):
    """A Kafka message that cannot be read as an event; ``reason`` says why, for the dead letter.

    Reasons never quote event data, which could hold what the privacy rule keeps out of logs.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Envelope:
    """One event with its CloudEvents attributes; ``data`` is the JSON-ready event data."""

    id: str
    source: str
    type: str
    time: datetime
    subject: str
    dataschema: str
    version: int
    traceparent: str | None
    data: dict[str, Any]


def envelope_for(
    event: Event,
    *,
    event_id: UUID | str,
    time: datetime,
    source: str | None = None,
    traceparent: str | None = None,
) -> Envelope:
    """Wrap ``event`` in its envelope; ``source`` defaults to the service owning its aggregate.

    ``time`` (CloudEvents ``time``) must be timezone-aware: the relay gives the store's time of
    append, when the event was recorded; when the act happened is its own ``*_at`` field
    (docs/field-dates.md).
    """
    if time.tzinfo is None or time.utcoffset() is None:
        raise ValueError("envelope time must be timezone-aware")
    return Envelope(
        id=str(UUID(str(event_id))),
        source=source or source_for(event.event_type),
        type=event.event_type,
        time=time.astimezone(UTC),
        subject=str(event.aggregate_id),
        dataschema=schema_uri(event.event_type, event.version),
        version=event.version,
        traceparent=traceparent,
        data=event.model_dump(mode="json"),
    )


def to_kafka(envelope: Envelope) -> tuple[bytes, bytes, KafkaHeaders]:
    """Return ``(key, value, headers)`` of the Kafka record carrying ``envelope``."""
    headers: KafkaHeaders = [
        ("ce_specversion", b"1.0"),
        ("ce_id", envelope.id.encode()),
        ("ce_source", envelope.source.encode()),
        ("ce_type", envelope.type.encode()),
        ("ce_time", format_time(envelope.time).encode()),
        ("ce_subject", envelope.subject.encode()),
        ("ce_dataschema", envelope.dataschema.encode()),
        ("ce_schemaversion", str(envelope.version).encode()),
        ("content-type", b"application/json"),
    ]
    if envelope.traceparent:
        headers.append(("traceparent", envelope.traceparent.encode()))
    value = orjson.dumps(envelope.data, option=orjson.OPT_SORT_KEYS)
    return envelope.subject.encode(), value, headers


def from_kafka(headers: Sequence[tuple[str, bytes]] | None, value: bytes) -> Envelope:
    """Read a Kafka record's headers and value as an envelope; raise ``InvalidMessage``.

    Checks what can be checked without the data's schema: required headers, spec version, a
    UUID id, an RFC 3339 time, a known type at a known version and a JSON object as value.
    """
    try:
        attrs = read_headers(headers or [])
    except ValueError as error:
        raise InvalidMessage(str(error)) from None
    try:
        data = orjson.loads(value)
    except orjson.JSONDecodeError as error:
        raise InvalidMessage(f"value is not valid JSON ({error})") from None
    if not isinstance(data, dict):
        raise InvalidMessage("value is not a JSON object")
    return Envelope(
        id=attrs.id,
        source=attrs.source,
        type=attrs.type,
        time=attrs.time,
        subject=attrs.subject,
        dataschema=attrs.dataschema or schema_uri(attrs.type, attrs.version),
        version=attrs.version,
        traceparent=attrs.traceparent,
        data=data,
    )


def decode(envelope: Envelope) -> Event:
    """Return the event in ``envelope`` as its type's latest model; raise ``InvalidMessage``."""
    try:
        event = decode_payload(envelope.type, envelope.version, envelope.data)
    except (UnknownEventType, UnknownEventVersion) as error:
        raise InvalidMessage(f"unknown event {error}") from None
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in problem['loc']) or '<root>'}: {problem['msg']}"
            for problem in error.errors(
                include_url=False, include_input=False, include_context=False
            )
        )
        reason = f"data is not a valid {envelope.type} v{envelope.version}: {problems}"
        raise InvalidMessage(reason) from None
    if str(event.aggregate_id) != envelope.subject:
        raise InvalidMessage(f"ce_subject does not match {event.subject_field} of the data")
    return event
