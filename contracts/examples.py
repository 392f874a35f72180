"""One realistic, fixed example of every registered event (type and version).

The examples are written in ``examples.json`` in their wire form (the Kafka message value), keyed
``<event type>.v<version>``. The generator embeds them in the JSON Schemas and the AsyncAPI
document; tests round-trip them, and fail when an event is registered without an example.
"""

import json
from pathlib import Path
from typing import Any

from contracts.event import Event
from contracts.registry import model_for

EXAMPLES_FILE = Path(__file__).with_name("examples.json")


def example_key(event_type: str, version: int) -> str:
    """Return the key of an example in ``examples.json``."""
    return f"{event_type}.v{version}"


def example_data() -> dict[str, dict[str, Any]]:
    """Return the raw example payloads (a fresh copy), keyed as in ``examples.json``."""
    loaded: dict[str, dict[str, Any]] = json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))
    return loaded


def example_event(event_type: str, version: int) -> Event:
    """Return the example of ``event_type`` at ``version`` as its model; ``KeyError`` if none."""
    data = example_data()[example_key(event_type, version)]
    return model_for(event_type, version).model_validate(data)
