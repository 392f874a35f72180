"""Figures as recorded by a day: the facts the read model held then, whatever arrived since.

Indicators count acts by when they happened, so a month already reported changes when a late
entry arrives. To reproduce what was published on a day, every fact is also kept in an
append-only log with the time its event was recorded (the envelope's CloudEvents `time`,
stamped by the event store at append). The key-deduplicated tables cannot answer this: a
late-recorded act with an earlier `occurred_at` replaces the row of its key, and the row it
replaced is gone. The log keeps both, so "as recorded by D" is the ledger of exactly the facts
recorded by D, with the same order-free conflict rules (`Ledger.record`), counted by the same
pure rules (`attainment.figures`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from services.indicators.facts import Act, AttributeSet, Fact, Merge, Revocation
from services.indicators.ledger import Ledger

KINDS: dict[type, str] = {
    Act: "act",
    Revocation: "revocation",
    AttributeSet: "attribute",
    Merge: "merge",
}
_BY_KIND = {name: kind for kind, name in KINDS.items()}
_INSTANTS = {"act": (5,), "revocation": (1,), "attribute": (3,), "merge": (2,)}


class Entry(NamedTuple):
    """A fact and when the event it came from was recorded."""

    fact: Fact
    recorded_at: datetime


def recorded_before(day: date, zone: ZoneInfo) -> datetime:
    """The instant ending `day` in the program's time zone: "recorded by `day`" is before it."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def as_recorded_by(entries: Iterable[Entry], before: datetime) -> Ledger:
    """The ledger of the facts recorded before `before` (the read model's facts at that time)."""
    ledger = Ledger()
    ledger.record(e.fact for e in entries if e.recorded_at < before)
    return ledger


def logged(fact: Fact) -> tuple[Any, ...]:
    """A fact as the log keeps it: its fields in order, an act without admin2 as before admin2
    existed (so a replayed event logs the same entry, and old entries read the same)."""
    if isinstance(fact, Act) and not fact.admin2:
        return tuple(fact)[:-1]
    return tuple(fact)


def decode(kind: str, values: list[Any]) -> Fact:
    """A fact from its logged kind and JSON array (instants as RFC 3339 text)."""
    for i in _INSTANTS[kind]:
        values[i] = datetime.fromisoformat(values[i])
    if kind == "act":
        values[1] = int(values[1])
    fact: Fact = _BY_KIND[kind](*values)
    return fact
