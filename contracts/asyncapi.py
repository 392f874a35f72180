"""The AsyncAPI 3.0 document of the event topics, built from the registry and the topics.

Channels are the Kafka topics, messages are the event types at each version (older versions
stay listed while their messages may still be on a topic), payloads point at the generated
JSON Schemas, and headers describe the CloudEvents binary-mode headers.
"""

from typing import Any

from contracts.envelope_headers import REQUIRED_HEADERS, TRACEPARENT_PATTERN
from contracts.event import Event
from contracts.examples import example_data, example_key
from contracts.registry import EVENT_MODELS, schema_uri
from contracts.topics import (
    DEADLETTER,
    DEADLETTER_ORIGIN_HEADER,
    DEADLETTER_REASON_HEADER,
    SOURCE_BY_AGGREGATE,
    TOPIC_BY_AGGREGATE,
    Topic,
)

KAFKA_BINDING = "0.5.0"

CLOUDEVENT_HEADERS: dict[str, Any] = {
    "type": "object",
    "description": "CloudEvents 1.0 attributes in Kafka binary mode, plus W3C trace context.",
    "required": list(REQUIRED_HEADERS),
    "properties": {
        "ce_specversion": {"type": "string", "const": "1.0"},
        "ce_id": {"type": "string", "format": "uuid", "description": "Event id, used for dedupe."},
        "ce_source": {"type": "string", "format": "uri-reference", "examples": ["/pana/cases"]},
        "ce_type": {"type": "string", "description": "Event type, e.g. voucher.redeemed."},
        "ce_time": {"type": "string", "format": "date-time", "description": "RFC 3339, UTC."},
        "ce_subject": {"type": "string", "format": "uuid", "description": "Aggregate id = key."},
        "ce_dataschema": {"type": "string", "format": "uri", "description": "Payload $id."},
        "ce_schemaversion": {"type": "string", "pattern": "^[1-9][0-9]*$"},
        "content-type": {"type": "string", "const": "application/json"},
        "traceparent": {"type": "string", "pattern": TRACEPARENT_PATTERN.pattern},
    },
}


def _message_id(model: type[Event]) -> str:
    return example_key(model.event_type, model.version)


def _channel_id(topic: Topic) -> str:
    return topic.name.split(".")[1]


def _message(model: type[Event]) -> dict[str, Any]:
    uri = schema_uri(model.event_type, model.version)
    pinned = {"ce_type": {"const": model.event_type}, "ce_dataschema": {"const": uri}}
    pinned["ce_schemaversion"] = {"const": str(model.version)}
    payload = example_data()[_message_id(model)]
    key_about = f"The {model.subject_field} (aggregate id), equal to ce_subject."
    return {
        "name": model.event_type,
        "title": f"{model.__name__} (v{model.version})",
        "summary": (model.__doc__ or "").strip().splitlines()[0],
        "contentType": "application/json",
        "headers": {
            "allOf": [{"$ref": "#/components/schemas/CloudEventHeaders"}, {"properties": pinned}]
        },
        "payload": {"$ref": f"./schemas/{model.event_type}.v{model.version}.json"},
        "bindings": {
            "kafka": {
                "key": {"type": "string", "format": "uuid", "description": key_about},
                "bindingVersion": KAFKA_BINDING,
            }
        },
        "examples": [{"name": _message_id(model), "payload": payload}],
    }


def _channel(topic: Topic, message_ids: list[str], description: str) -> dict[str, Any]:
    return {
        "address": topic.name,
        "description": description,
        "messages": {mid: {"$ref": f"#/components/messages/{mid}"} for mid in message_ids},
        "bindings": {
            "kafka": {
                "topic": topic.name,
                "partitions": topic.partitions,
                "bindingVersion": KAFKA_BINDING,
            }
        },
    }


def _operation(action: str, channel_id: str, message_ids: list[str]) -> dict[str, Any]:
    # Fresh objects per operation: shared ones would come out as YAML anchors and aliases.
    refs = [{"$ref": f"#/channels/{channel_id}/messages/{mid}"} for mid in message_ids]
    return {"action": action, "channel": {"$ref": f"#/channels/{channel_id}"}, "messages": refs}


def _operations(channel_id: str, message_ids: list[str]) -> dict[str, Any]:
    name = channel_id.capitalize()
    return {
        f"send{name}": _operation("send", channel_id, message_ids),
        f"receive{name}": _operation("receive", channel_id, message_ids),
    }


def _deadletter_message() -> dict[str, Any]:
    reason = {"type": "string", "description": "Why the message could not be read."}
    origin = {"type": "string", "description": "topic/partition/offset of the original."}
    return {
        "name": "deadletter",
        "contentType": "application/octet-stream",
        "summary": "A message a consumer could not read, with its original value and headers.",
        "headers": {
            "type": "object",
            "required": [DEADLETTER_REASON_HEADER, DEADLETTER_ORIGIN_HEADER],
            "properties": {DEADLETTER_REASON_HEADER: reason, DEADLETTER_ORIGIN_HEADER: origin},
        },
        "payload": {"description": "The original message value, unchanged (any bytes)."},
    }


def asyncapi_document() -> dict[str, Any]:
    """Return the AsyncAPI 3.0.0 document of every topic and event, as plain data."""
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages = {_message_id(model): _message(model) for model in EVENT_MODELS}
    families: dict[Topic, list[str]] = {}
    for aggregate, topic in TOPIC_BY_AGGREGATE.items():
        families.setdefault(topic, []).append(aggregate)  # a topic may carry several families
    for topic, aggregates in families.items():
        ids = [_message_id(m) for m in EVENT_MODELS if m.aggregate in aggregates]
        source = SOURCE_BY_AGGREGATE[aggregates[0]]
        named = " and ".join(aggregates)
        about = f"Events of the {named} aggregate, keyed by its id; source {source}."
        channels[_channel_id(topic)] = _channel(topic, ids, about)
        operations.update(_operations(_channel_id(topic), ids))
    messages["deadletter"] = _deadletter_message()
    dead = _channel(DEADLETTER, ["deadletter"], "Messages consumers could not read.")
    channels[_channel_id(DEADLETTER)] = dead
    operations.update(_operations(_channel_id(DEADLETTER), ["deadletter"]))
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "PANA case management events",
            "version": "1.0.0",
            "description": "Events of participants, cases, referrals and health vouchers. "
            "CloudEvents 1.0 in Kafka binary content mode: ce_* headers, JSON value.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"schemas": {"CloudEventHeaders": CLOUDEVENT_HEADERS}, "messages": messages},
    }
