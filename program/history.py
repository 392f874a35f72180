"""Codes history uses: a program file may add codes and relabel them, never drop one in use.

Events are immutable: a code an event carries must keep meaning something, or its figures
could no longer be labelled, filtered or checked. `refuse_removals` compares the codes found in
the event stores (`python -m deploy.ops program-check` gathers them) with a new program file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from typing import Any

from pydantic import BaseModel

from contracts.codes import field_vocabulary
from contracts.people import Sex
from contracts.registry import REGISTRY
from program.load import ProgramError
from program.model import Program

CodeFields = Mapping[tuple[str, int], Mapping[str, str]]

ATTRIBUTES = "attributes"
"""The field of a person's coarse attributes (`contracts.codes.PersonAttributes`): each key is
an attribute of the program, the vocabulary of its value."""


def code_fields() -> dict[tuple[str, int], dict[str, str]]:
    """For each (event type, version) with program codes: field name -> vocabulary."""
    found: dict[tuple[str, int], dict[str, str]] = {}
    for key, model in REGISTRY.items():
        fields = {
            name: vocabulary
            for name, info in model.model_fields.items()
            if (vocabulary := field_vocabulary(info)) is not None
        }
        if fields:
            found[key] = fields
    return found


def part_code_fields() -> dict[tuple[str, int], dict[tuple[str, str], str]]:
    """For each (event type, version) whose fields hold parts with program codes (a group
    activity's headcounts, each with a sex and an age group): (field, part's field) ->
    vocabulary. A part's `Sex` is the program's `sex` vocabulary."""
    found: dict[tuple[str, int], dict[tuple[str, str], str]] = {}
    for key, model in REGISTRY.items():
        fields: dict[tuple[str, str], str] = {}
        for name, info in model.model_fields.items():
            part = _part_model(info.annotation)
            if part is None:
                continue
            for inner, inner_info in part.model_fields.items():
                vocabulary = field_vocabulary(inner_info)
                if vocabulary is None and inner_info.annotation is Sex:
                    vocabulary = "sex"
                if vocabulary is not None:
                    fields[(name, inner)] = vocabulary
        if fields:
            found[key] = fields
    return found


def _part_model(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds (alone, optional or in a tuple or list), or None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        if (found := _part_model(arg)) is not None:
            return found
    return None


def attribute_events() -> list[tuple[str, int]]:
    """The (event type, version) pairs that carry a person's attributes."""
    return [key for key, model in REGISTRY.items() if ATTRIBUTES in model.model_fields]


def codes_in(events: Iterable[tuple[str, int, Mapping[str, Any]]]) -> dict[str, set[str]]:
    """The codes, by vocabulary, that stored events (type, version, data) carry."""
    fields, parts = code_fields(), part_code_fields()
    with_attributes = set(attribute_events())
    seen: dict[str, set[str]] = {}
    for event_type, version, data in events:
        for field, vocabulary in fields.get((event_type, version), {}).items():
            value = data.get(field)
            values = value if isinstance(value, list) else [value]
            codes = [v for v in values if isinstance(v, str)]  # an optional field may be null
            if codes:
                seen.setdefault(vocabulary, set()).update(codes)
        for (field, inner), vocabulary in parts.get((event_type, version), {}).items():
            held = data.get(field)
            for part in held if isinstance(held, list) else [held]:
                if isinstance(part, Mapping) and isinstance(code := part.get(inner), str):
                    seen.setdefault(vocabulary, set()).add(code)
        if (event_type, version) in with_attributes:
            for attribute, value in (data.get(ATTRIBUTES) or {}).items():
                seen.setdefault(attribute, set()).add(value)
    return seen


def removed_codes(seen: Mapping[str, AbstractSet[str]], program: Program) -> dict[str, list[str]]:
    """The codes history uses that `program` no longer has, by vocabulary (empty: none)."""
    gone = {
        vocabulary: sorted(set(codes) - _codes(program, vocabulary))
        for vocabulary, codes in seen.items()
    }
    return {vocabulary: codes for vocabulary, codes in sorted(gone.items()) if codes}


def refuse_removals(seen: Mapping[str, AbstractSet[str]], program: Program, source: str) -> None:
    """Raise `ProgramError` when the program `source` drops a code history uses."""
    gone = removed_codes(seen, program)
    if gone:
        listed = "; ".join(
            f"{vocabulary}: {', '.join(codes)}" for vocabulary, codes in gone.items()
        )
        raise ProgramError(
            f"{source}: removes codes that recorded events use ({listed}); keep them (a label"
            " may change) or the history they name could no longer be read"
        )


def _codes(program: Program, vocabulary: str) -> frozenset[str]:
    try:
        return program.codes(vocabulary)
    except KeyError:  # an attribute the program no longer has: none of its values is kept
        return frozenset()
