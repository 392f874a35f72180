"""What the projection remembers of each event: order-free facts derived by the logframe's rules.

Every fact is keyed, and two facts with the same key are resolved by a rule that does not
depend on arrival order (keep the earliest act, the latest attribute value, ...). So the set of
stored facts, and everything computed from it, is the same whatever order events arrive in.

- `Act`: an event that meets one requirement of one indicator, for one subject (person or case).
- `Revocation`: an act un-counted later (a reversed voucher redemption), which may arrive first.
- `AttributeSet`: a registration or correction setting a person's sex or birth month.
- `Merge`: two participant records are one person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contracts.event import Event
from contracts.participants import ParticipantCorrected, ParticipantMerged, ParticipantRegistered
from services.indicators.logframe import SUBJECT_FIELD, EventRule, Logframe

PERSON_ATTRIBUTES = ("sex", "birth_year_month")


@dataclass(frozen=True)
class Act:
    """A qualifying act: `subject` met requirement `requirement` of `indicator` at `occurred_at`."""

    indicator: str
    requirement: int
    act_key: str
    subject: str
    participant_id: str
    occurred_at: datetime
    region: str
    event_id: str

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.indicator, self.requirement, self.act_key)

    @property
    def order(self) -> tuple[datetime, str]:
        """Earliest wins; the event id breaks ties so that the choice never depends on arrival."""
        return (self.occurred_at, self.event_id)


@dataclass(frozen=True)
class Revocation:
    """The act `act_key` no longer counts."""

    act_key: str
    occurred_at: datetime
    event_id: str


@dataclass(frozen=True)
class AttributeSet:
    """A person's attribute took `value` at `set_at` (last write wins, by instant then id)."""

    participant_id: str
    attribute: str
    value: str
    set_at: datetime
    event_id: str


@dataclass(frozen=True)
class Merge:
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
    data = event.model_dump(mode="json")
    facts: list[Fact] = _person_facts(event_id, event)
    for indicator in logframe.all_indicators:
        for number, requirement in enumerate(indicator.requires):
            for rule in requirement.any_of:
                if rule.event == event.event_type and _matches(rule, data):
                    facts.append(
                        Act(
                            indicator=indicator.id,
                            requirement=number,
                            act_key=_act_key(rule, rule.act, data, event_id),
                            subject=str(data[SUBJECT_FIELD[indicator.unit]]),
                            participant_id=str(data["participant_id"]),
                            occurred_at=getattr(event, rule.date_field),
                            region=str(data["region"]),
                            event_id=event_id,
                        )
                    )
                revoking = rule.revoked_by
                if revoking is not None and revoking.event == event.event_type:
                    key = _act_key(rule, revoking.key, data, event_id)
                    at = getattr(event, _only_instant(event))
                    facts.append(Revocation(act_key=key, occurred_at=at, event_id=event_id))
    return list(dict.fromkeys(facts))  # one revocation may serve two indicators


def _matches(rule: EventRule, data: dict[str, Any]) -> bool:
    return all(str(data.get(field)) in values for field, values in rule.where.items())


def _act_key(rule: EventRule, field: str | None, data: dict[str, Any], event_id: str) -> str:
    # Namespaced by event type: a redemption id and an event id can never collide.
    return f"{rule.event}:{data[field] if field else event_id}"


def _only_instant(event: Event) -> str:
    return next(f for f in type(event).model_fields if f.endswith("_at"))


def _person_facts(event_id: str, event: Event) -> list[Fact]:
    if isinstance(event, ParticipantRegistered | ParticipantCorrected):
        at = event.registered_at if isinstance(event, ParticipantRegistered) else event.corrected_at
        pid = str(event.participant_id)
        return [
            AttributeSet(pid, name, str(getattr(event, name)), at, event_id)
            for name in PERSON_ATTRIBUTES
            if getattr(event, name) is not None
        ]
    if isinstance(event, ParticipantMerged):
        merged, surviving = str(event.merged_participant_id), str(event.surviving_participant_id)
        return [Merge(merged, surviving, event.merged_at, event_id)]
    return []
