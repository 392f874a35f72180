"""What the cases service layer returns: what a command did, never an HTTP answer.

Each result names the stream it changed, its version now and `position`, the last event's id (what
a client waits on to read its own write), and what the command created. `json()` is the result as
the routes and field submissions answer it; the routes choose the status.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class Result:
    _omitted_when_none: ClassVar[frozenset[str]] = frozenset()

    def json(self) -> dict[str, Any]:
        """The result as JSON: ids as text; optional names left out when there are none."""
        shown: dict[str, Any] = {}
        for each in dataclasses.fields(self):
            value = getattr(self, each.name)
            if value is None and each.name in self._omitted_when_none:
                continue
            shown[each.name] = str(value) if isinstance(value, uuid.UUID) else value
        return shown


@dataclass(frozen=True)
class PersonChanged(Result):
    """A person's stream after a command (a correction, a reach, a livelihood step)."""

    participant_id: uuid.UUID
    version: int
    position: str | None


@dataclass(frozen=True)
class Registered(PersonChanged):
    possible_duplicates: list[str]
    """Records holding the same document or phone number (ids, sorted)."""


@dataclass(frozen=True)
class Merged(PersonChanged):
    merged_into: uuid.UUID


@dataclass(frozen=True)
class Erased(PersonChanged):
    erased: bool = True


@dataclass(frozen=True)
class ConsentRecorded(PersonChanged):
    """Consent given or withdrawn, on the surviving record of the id asked for."""

    consent_id: uuid.UUID


@dataclass(frozen=True)
class CaseChanged(Result):
    """A case's stream after a command; `complaint_id` when the command filed or took one up."""

    _omitted_when_none: ClassVar[frozenset[str]] = frozenset({"complaint_id"})

    case_id: uuid.UUID
    version: int
    position: str | None
    complaint_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Opened(Result):
    case_id: uuid.UUID
    participant_id: uuid.UUID
    caseworker_id: uuid.UUID
    version: int
    position: str | None


@dataclass(frozen=True)
class Delivered(Result):
    case_id: uuid.UUID
    delivery_id: uuid.UUID
    version: int
    position: str | None


@dataclass(frozen=True)
class NoteAdded(Result):
    """A sealed note: not an event, so no version or position."""

    case_id: uuid.UUID
    note_id: uuid.UUID


@dataclass(frozen=True)
class Reached(Result):
    """Everyone one activity reached; `reaches`, each person's reach and event id."""

    activity_id: uuid.UUID
    reached: int
    reaches: list[dict[str, Any]]
    position: str | None


@dataclass(frozen=True)
class ActivityRecorded(Result):
    """A group activity on its own stream, with its headcounts' total."""

    activity_id: uuid.UUID
    total: int
    version: int
    position: str | None
