"""The decider vocabulary: a refused command and the fold of a stream's events into state.

Domain modules use only these names, so they import nothing but the standard library and their
own events: `decide(command, state)` raises `Refused` with a `RefusalKind`, never an HTTP status
(the HTTP edge, `eventkit.http.refused`, is the one place that turns a kind into a status).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import TypeVar

S = TypeVar("S")
E = TypeVar("E")


class RefusalKind(StrEnum):
    """Why a command was refused, as a caller can act on it."""

    NOT_FOUND = "not_found"
    """What the command names does not exist."""
    CONFLICT = "conflict"
    """The command does not fit the current state (it may once the state changes)."""
    INVALID = "invalid"
    """The command itself is wrong, whatever the state."""
    FORBIDDEN = "forbidden"
    """This caller may not do this."""


class Refused(Exception):
    """A command broke a business rule. `rule` is a stable code, `message` says why for people,
    `kind` what sort of refusal it is; `retry_after` (seconds) when the same command may succeed
    soon (a copy catching up)."""

    def __init__(
        self, rule: str, message: str, kind: RefusalKind, *, retry_after: int | None = None
    ) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.kind = kind
        self.retry_after = retry_after


def fold(evolve: Callable[[S, E], S], initial: S, events: Iterable[E]) -> S:
    """The state after `events`."""
    state = initial
    for event in events:
        state = evolve(state, event)
    return state
