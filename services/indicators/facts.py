"""What the projection remembers of each event: order-free facts derived by the logframe's rules.

Every fact is keyed, and two facts with the same key are resolved by a rule that does not
depend on arrival order (keep the earliest act, the latest attribute value, ...). So the set of
stored facts, and everything computed from it, is the same whatever order events arrive in.

- `Act`: an event that meets one requirement of one indicator, for one subject (person or case),
  with its region and, when the event names one, its admin2 territory (the 5W's Admin2).
- `Revocation`: an act un-counted later (a reversed voucher redemption), which may arrive first.
- `AttributeSet`: a registration or correction setting a person's sex, birth month, population
  type or one of the program's coarse attributes (`ethnicity`...), named by its code.
- `Merge`: two participant records are one person.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, NamedTuple
from uuid import UUID

from contracts.event import Event
from contracts.participants import ParticipantCorrected, ParticipantMerged, ParticipantRegistered
from services.indicators.logframe import SUBJECT_FIELD, Logframe

PERSON_ATTRIBUTES = ("sex", "birth_year_month")


class Act(NamedTuple):
    """A qualifying act: `subject` met requirement `requirement` of `indicator` at `occurred_at`."""

    indicator: str
    requirement: int
    act_key: str
    subject: str
    participant_id: str
    occurred_at: datetime
    region: str
    event_id: str
    admin2: str = ""
    """The territory below `region` the act names (a province), "" when it names none."""

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.indicator, self.requirement, self.act_key)

    @property
    def order(self) -> tuple[datetime, str]:
        """Earliest wins; the event id breaks ties so that the choice never depends on arrival."""
        return (self.occurred_at, self.event_id)


class Revocation(NamedTuple):
    """The act `act_key` no longer counts."""

    act_key: str
    occurred_at: datetime
    event_id: str


class AttributeSet(NamedTuple):
    """A person's attribute took `value` at `set_at` (last write wins, by instant then id)."""

    participant_id: str
    attribute: str
    value: str
    set_at: datetime
    event_id: str


class Merge(NamedTuple):
    """Participant record `merged_id` is the same person as `surviving_id`."""

    merged_id: str
    surviving_id: str
    merged_at: datetime
    event_id: str


Fact = Act | Revocation | AttributeSet | Merge


def relevant_event_types(logframe: Logframe) -> frozenset[str]:
    """The event types this logframe's projection reads (the others are skipped unparsed)."""
    types = {"participant.registered", "participant.corrected", "participant.merged"}
    for indicator in logframe.all_indicators:
        for requirement in indicator.requires:
            for rule in requirement.any_of:
                types.add(rule.event)
                if rule.revoked_by is not None:
                    types.add(rule.revoked_by.event)
    return frozenset(types)


def facts_from(logframe: Logframe, event_id: str, event: Event) -> list[Fact]:
    """The facts one event contributes to `logframe`'s read model (often none)."""
    return rules_of(logframe).facts(event_id, event)


@dataclass(frozen=True, slots=True)
class _ActRule:
    indicator: str
    requirement: int
    event: str
    where: tuple[tuple[str, frozenset[str]], ...]
    act: str | None
    subject_field: str
    date_field: str


@dataclass(frozen=True, slots=True)
class _RevokingRule:
    event: str
    key_field: str


@dataclass(frozen=True, slots=True)
class _TypeRules:
    rules: tuple[_ActRule | _RevokingRule, ...]
    fields: tuple[str, ...]
    """Every field the rules read as text (converted once per event)."""
    may_repeat: bool
    """Two of the rules can give the same fact (kept once)."""


def _may_repeat(rules: list[_ActRule | _RevokingRule]) -> bool:
    seen: set[tuple[str, ...]] = set()
    for r in rules:
        if isinstance(r, _ActRule):
            key: tuple[str, ...] = ("act", r.indicator, str(r.requirement))
        else:
            key = ("revocation", r.event, r.key_field)
        if key in seen:
            return True
        seen.add(key)
    return False


class Rules:
    """A logframe's event rules indexed by event type: what `facts_from` checks per event.

    Built once per logframe (`rules_of`); an event is compared only with the rules of its type,
    in the logframe's order (indicator, requirement, rule), so the facts and their order are
    those of a walk over every rule.
    """

    def __init__(self, logframe: Logframe) -> None:
        found: dict[str, list[_ActRule | _RevokingRule]] = {}
        for indicator in logframe.all_indicators:
            subject = SUBJECT_FIELD[indicator.unit]
            for number, requirement in enumerate(indicator.requires):
                for rule in requirement.any_of:
                    where = tuple((f, frozenset(v)) for f, v in rule.where.items())
                    found.setdefault(rule.event, []).append(
                        _ActRule(indicator.id, number, rule.event, where, rule.act, subject,
                                 rule.date_field)
                    )  # fmt: skip
                    revoking = rule.revoked_by
                    if revoking is not None:
                        found.setdefault(revoking.event, []).append(
                            _RevokingRule(rule.event, revoking.key)
                        )
        self._by_type: dict[str, _TypeRules] = {}
        for event_type, rules in found.items():
            fields: dict[str, None] = {}
            for r in rules:
                if isinstance(r, _ActRule):
                    names = [f for f, _ in r.where]
                    names += [r.subject_field, "participant_id", "region"]
                    names += [r.act] if r.act else []
                else:
                    names = [r.key_field]
                fields.update(dict.fromkeys(names))
            self._by_type[event_type] = _TypeRules(tuple(rules), tuple(fields), _may_repeat(rules))
        self._instant: dict[type[Event], str] = {}

    def facts(self, event_id: str, event: Event) -> list[Fact]:
        """The facts of one event."""
        person = _PERSON_FACTS.get(type(event))
        facts: list[Fact] = person(event_id, event) if person is not None else []
        compiled = self._by_type.get(event.event_type)
        if compiled is None:
            return facts
        text = _texts(event, compiled.fields)
        admin2 = getattr(event, "admin2", None) or ""
        for rule in compiled.rules:
            if isinstance(rule, _ActRule):
                for field, values in rule.where:
                    if text[field] not in values:
                        break
                else:
                    key = f"{rule.event}:{text[rule.act] if rule.act else event_id}"
                    facts.append(
                        Act(rule.indicator, rule.requirement, key, text[rule.subject_field],
                            text["participant_id"], getattr(event, rule.date_field),
                            text["region"], event_id, admin2)
                    )  # fmt: skip
            else:
                # Namespaced by the counted event's type: a redemption id and an event id can
                # never collide.
                key = f"{rule.event}:{text[rule.key_field]}"
                at = getattr(event, self._instant_of(event))
                facts.append(Revocation(key, at, event_id))
        if compiled.may_repeat and len(facts) > 1:
            return list(dict.fromkeys(facts))  # one revocation may serve two indicators
        return facts

    def _instant_of(self, event: Event) -> str:
        kind = type(event)
        found = self._instant.get(kind)
        if found is None:
            found = self._instant[kind] = next(f for f in kind.model_fields if f.endswith("_at"))
        return found


_RULES: dict[int, tuple[Logframe, Rules]] = {}


def rules_of(logframe: Logframe) -> Rules:
    """The compiled rules of a logframe (cached per logframe object)."""
    cached = _RULES.get(id(logframe))
    if cached is None or cached[0] is not logframe:
        cached = _RULES[id(logframe)] = (logframe, Rules(logframe))
    return cached[1]


def _texts(event: Event, fields: tuple[str, ...]) -> dict[str, str]:
    """Fields of an event as the text its JSON form holds (what rules compare and keys use).

    Scalars are converted directly (enum values, canonical UUIDs, strings, integers); any other
    value is read from the event's JSON dump, made only when needed.
    """
    out: dict[str, str] = {}
    dump: dict[str, Any] | None = None
    for field in fields:
        value = getattr(event, field, None)
        kind = type(value)
        if kind is str or kind is UUID or kind is int or value is None:
            out[field] = str(value)
        elif isinstance(value, Enum):
            out[field] = str(value.value)
        else:
            if dump is None:
                dump = event.model_dump(mode="json")
            out[field] = str(dump.get(field))
    return out


def _registered(event_id: str, event: Event) -> list[Fact]:
    assert isinstance(event, ParticipantRegistered)
    return _attributes(event_id, event, event.registered_at)


def _corrected(event_id: str, event: Event) -> list[Fact]:
    assert isinstance(event, ParticipantCorrected)
    return _attributes(event_id, event, event.corrected_at)


def _attributes(
    event_id: str, event: ParticipantRegistered | ParticipantCorrected, at: datetime
) -> list[Fact]:
    pid = str(event.participant_id)
    found: list[Fact] = [
        AttributeSet(pid, name, str(value), at, event_id)
        for name in PERSON_ATTRIBUTES
        if (value := getattr(event, name)) is not None
    ]
    if event.population_type is not None:
        found.append(AttributeSet(pid, "population_type", event.population_type, at, event_id))
    found += [AttributeSet(pid, name, v, at, event_id) for name, v in event.attributes.items()]
    return found


def _merged(event_id: str, event: Event) -> list[Fact]:
    assert isinstance(event, ParticipantMerged)
    merged, surviving = str(event.merged_participant_id), str(event.surviving_participant_id)
    return [Merge(merged, surviving, event.merged_at, event_id)]


_PERSON_FACTS: dict[type[Event], Callable[[str, Event], list[Fact]]] = {
    ParticipantRegistered: _registered,
    ParticipantCorrected: _corrected,
    ParticipantMerged: _merged,
}
"""The person facts of the participant events, by exact model (looked up once per event)."""
