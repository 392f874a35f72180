"""Reading old versions of an event as the current one.

A breaking change (a new required field, a renamed or split field, a changed meaning) gets a new
version. Its upcaster turns the data of version n into the data of version n + 1; decoding
applies them in a chain, so consumers only ever handle the latest model while messages written
years ago stay readable. Producers always write the latest version.

The worked example: ``message.reached`` v2 added the required ``delivery_mode``. Before v2 talks,
fairs and activities were all face to face, so v1 data derives it from the channel.
"""

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from contracts.event import Event
from contracts.outreach import DeliveryMode
from contracts.registry import latest_version, model_for
from contracts.vocabulary import MessageChannel

EventData = dict[str, Any]
Upcaster = Callable[[EventData], EventData]

_REMOTE_CHANNELS_V1 = frozenset({MessageChannel.WHATSAPP, MessageChannel.SOCIAL_NETWORK})


def message_reached_v1_to_v2(data: EventData) -> EventData:
    """Add ``delivery_mode``: remote for WhatsApp and social networks, in person otherwise."""
    remote = data["channel"] in _REMOTE_CHANNELS_V1
    mode = DeliveryMode.REMOTE if remote else DeliveryMode.IN_PERSON
    return {**data, "delivery_mode": mode.value}


UPCASTERS: Mapping[tuple[str, int], Upcaster] = MappingProxyType(
    {
        ("message.reached", 1): message_reached_v1_to_v2,
    }
)
"""Upcasters keyed by (event type, version they read); each returns the next version's data."""


def decode_payload(event_type: str, version: int, data: EventData) -> Event:
    """Validate ``data`` written as ``event_type`` at ``version`` and return the latest model.

    Each step validates against that version's own model first, so a malformed old message is
    reported against the schema it claims, not against a later one. Raises ``UnknownEventType``,
    ``UnknownEventVersion`` or pydantic's ``ValidationError``.
    """
    target = latest_version(event_type)
    model = model_for(event_type, version)
    event = model.model_validate(data)
    while version < target:
        upcast = UPCASTERS.get((event_type, version))
        if upcast is None:
            raise LookupError(f"no upcaster from {event_type} v{version}")
        data = upcast(event.model_dump(mode="json"))
        version += 1
        event = model_for(event_type, version).model_validate(data)
    return event
