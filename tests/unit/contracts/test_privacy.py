"""No event can carry a name, a document, a phone, an address or a narrative.

Two guards: field names that suggest personal data, and strings that could hold free text (a
string is allowed only when an enum, a pattern, a format or a length bounds it).
"""

import types
import typing
from typing import Any

import pytest
from pydantic import BaseModel

from contracts.event import Event
from contracts.registry import EVENT_MODELS

PERSONAL_HINTS = (
    "name",
    "document",
    "dni",
    "passport",
    "phone",
    "address",
    "email",
    "narrative",
    "note",
    "comment",
    "description",
    "text",
    "story",
)
BOUNDING_KEYWORDS = {"enum", "const", "pattern", "maxLength"}
BOUNDED_FORMATS = {"uuid", "date-time", "date"}


def personal_field_names(model: type[BaseModel]) -> list[str]:
    return [
        name for name in model.model_fields if any(hint in name.lower() for hint in PERSONAL_HINTS)
    ]


def free_text_in_schema(node: Any, path: str = "#") -> list[str]:
    """Paths of string schemas that no enum, const, pattern, format or maxLength bounds."""
    found: list[str] = []
    if isinstance(node, dict):
        types_ = node.get("type")
        is_string = types_ == "string" or (isinstance(types_, list) and "string" in types_)
        bounded = BOUNDING_KEYWORDS & node.keys() or node.get("format") in BOUNDED_FORMATS
        if is_string and not bounded:
            found.append(path)
        for key, child in node.items():
            if key not in ("examples", "default"):
                found += free_text_in_schema(child, f"{path}/{key}")
    elif isinstance(node, list):
        for index, child in enumerate(node):
            found += free_text_in_schema(child, f"{path}/{index}")
    return found


def bare_str_fields(model: type[BaseModel]) -> list[str]:
    """Fields whose Python type admits a ``str`` with no pattern or length bound."""

    def unbounded(annotation: Any, metadata: list[Any]) -> bool:
        if annotation is str:
            return not any(
                getattr(item, "pattern", None) or getattr(item, "max_length", None)
                for item in metadata
            )
        if typing.get_origin(annotation) is typing.Annotated:
            inner, *extra = typing.get_args(annotation)
            return unbounded(inner, [*metadata, *extra])
        if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) in (
            typing.Union,
            tuple,
            list,
            set,
            frozenset,
        ):
            return any(unbounded(arg, []) for arg in typing.get_args(annotation) if arg is not ...)
        return False

    return [
        name
        for name, field in model.model_fields.items()
        if unbounded(field.annotation, list(field.metadata))
    ]


@pytest.mark.parametrize("model", EVENT_MODELS, ids=lambda m: f"{m.event_type}.v{m.version}")
def test_no_field_name_suggests_personal_data(model: type[Event]) -> None:
    assert personal_field_names(model) == []


@pytest.mark.parametrize("model", EVENT_MODELS, ids=lambda m: f"{m.event_type}.v{m.version}")
def test_no_field_can_hold_free_text(model: type[Event]) -> None:
    assert bare_str_fields(model) == []
    assert free_text_in_schema(model.model_json_schema(mode="serialization")) == []
    assert free_text_in_schema(model.model_json_schema(mode="validation")) == []


def test_the_guards_catch_a_leaky_event() -> None:
    class Leaky(Event):
        event_type = "leaky.happened"
        aggregate = "leaky"
        subject_field = "leaky_id"

        leaky_id: str
        full_name: str | None = None
        phone_number: typing.Annotated[str, "just a marker"] = ""
        summary: tuple[str, ...] = ()

    assert personal_field_names(Leaky) == ["full_name", "phone_number"]
    assert bare_str_fields(Leaky) == ["leaky_id", "full_name", "phone_number", "summary"]
    assert len(free_text_in_schema(Leaky.model_json_schema())) == 4
