"""Attainment kept up to date change by change: the reader's in-memory state of a read model.

`attainment.figures` computes everything from a whole ledger; at a million events that is
seconds of work, too slow to redo on every change a live dashboard sees. `Standing` holds the
ledger and, for each filter set asked for recently, every subject's counting (`Counted`) and
the per-cell totals. `apply` merges the facts changed since the last revision (with
`Ledger.record`'s order-free rules, so merging changes equals loading everything) and recounts
only the subjects those facts can affect:

- an act added or replaced: its subject (and the replaced act's);
- a revocation: the subjects of the acts it revokes;
- a person's attribute: that person, in every indicator counting people, and the cases whose
  acts are that person's (their sex and age come from the person);
- a merge: the person the merged record belonged to before and the one it belongs to now, and
  the cases of both.

Each subject is recounted with `attainment.count_subject`, the function the whole computation
uses, so a recount gives what a full computation would. While merges form a cycle (which
merges never make, but a ledger can hold any facts), every figure is recomputed in full.
Tests compare `Standing` with `attainment.figures` after random fact sequences.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from services.indicators.attainment import (
    Attainment,
    Counted,
    Filters,
    Totals,
    act_order,
    assemble,
    considered,
    count_subject,
    counted,
    day_start,
    window,
)
from services.indicators.dimensions import containing, dimensions_of
from services.indicators.facts import Act, AttributeSet, Fact, Merge, Revocation
from services.indicators.ledger import Ledger
from services.indicators.logframe import Indicator, Logframe, Unit
from services.indicators.people import Disaggregation

KEPT_FILTERS = 16
"""Filter sets whose countings are kept up to date (the least recently read is dropped)."""


class LivePeople(Disaggregation):
    """`people.People`, updated fact by fact (same answers while merges form no cycle)."""

    def __init__(self) -> None:
        self.surviving: dict[str, str] = {}
        self.merged_into: dict[str, set[str]] = {}
        self.values: dict[tuple[str, str], str] = {}

    def person(self, participant_id: str) -> str:
        """The surviving id of a chain of merges (a cycle stops where it repeats)."""
        current = participant_id
        nxt = self.surviving.get(current)
        if nxt is None:
            return current
        seen = {current}
        while nxt is not None and nxt not in seen:
            seen.add(nxt)
            current = nxt
            nxt = self.surviving.get(current)
        return current

    def merge(self, merged_id: str, surviving_id: str) -> None:
        """Record that `merged_id` now resolves through `surviving_id`."""
        before = self.surviving.get(merged_id)
        if before is not None:
            self.merged_into[before].discard(merged_id)
        self.surviving[merged_id] = surviving_id
        self.merged_into.setdefault(surviving_id, set()).add(merged_id)

    def members(self, person: str) -> set[str]:
        """Every participant id whose chain of merges passes through `person` (and itself)."""
        if person not in self.merged_into:
            return {person}
        found, todo = {person}, [person]
        while todo:
            for child in self.merged_into.get(todo.pop(), ()):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        return found

    def cyclic(self) -> bool:
        """Whether some chain of merges comes back to where it started."""
        for start in self.surviving:
            seen = {start}
            current = self.surviving.get(start)
            while current is not None:
                if current in seen:
                    return True
                seen.add(current)
                current = self.surviving.get(current)
        return False

    def attribute(self, person: str, name: str) -> str | None:
        """The person's value: the surviving record's, else a merged record's (lowest id first)."""
        value = self.values.get((person, name))
        if value is not None or person not in self.merged_into:
            return value
        for member in sorted(self.members(person)):
            if (found := self.values.get((member, name))) is not None:
                return found
        return None


@dataclass
class _Tally:
    """Every subject's counting under one filter set, and the totals they sum to."""

    filters: Filters
    start: date
    end: date
    starts_at: datetime | None
    """The first instant of the window's first local day (None: compare local dates)."""
    ends_before: datetime | None
    """The first instant after the window's last local day (None: compare local dates)."""
    counted: dict[str, dict[str, Counted]] = field(default_factory=dict)
    totals: dict[str, Totals] = field(default_factory=dict)


class Standing:
    """A logframe version's ledger with its figures, updated by the changes of each revision."""

    def __init__(self, logframe: Logframe) -> None:
        self.logframe = logframe
        self.ledger = Ledger()
        self.people = LivePeople()
        self._zone: ZoneInfo = logframe.zone
        self._indicators: dict[str, Indicator] = {i.id: i for i in logframe.all_indicators}
        self._requirements = [
            (i.id, n) for i in logframe.all_indicators for n in range(len(i.requires))
        ]
        # indicator -> participant id (people) or case id (cases) -> its acts
        self._groups: dict[str, dict[str, list[Act]]] = {i: {} for i in self._indicators}
        # participant id -> (indicator, case) of the cases with an act of that participant
        self._cases_of: dict[str, set[tuple[str, str]]] = {}
        self._tallies: OrderedDict[Filters, _Tally] = OrderedDict()
        self._cyclic = False

    def apply(self, facts: Iterable[Fact]) -> None:
        """Merge facts (typically those changed since the last revision) and recount."""
        facts = list(facts)
        counting = bool(self._tallies)
        affected: set[str] = set()  # persons whose identity or attributes changed
        for fact in facts:
            if counting and isinstance(fact, Merge):
                affected.add(self.people.person(fact.merged_id))
        located: list[Act] = []  # acts added or dropped: their subjects are recounted
        revoked: list[str] = []
        changed_people: list[str] = []
        for fact in facts:
            if isinstance(fact, Act):
                old = self.ledger.acts.get(fact.key)
                if old is not None and not fact.order < old.order:
                    continue
                self.ledger.acts[fact.key] = fact
                if old is not None:
                    self._unindex(old)
                    located.append(old)
                self._index(fact)
                located.append(fact)
            elif isinstance(fact, Revocation):
                before = self.ledger.revocations.get(fact.act_key)
                self.ledger.record((fact,))
                if before is None:
                    revoked.append(fact.act_key)
            elif isinstance(fact, AttributeSet):
                key = (fact.participant_id, fact.attribute)
                self.ledger.record((fact,))
                kept = self.ledger.attributes[key]
                if self.people.values.get(key) != kept.value:
                    self.people.values[key] = kept.value
                    changed_people.append(fact.participant_id)
            else:
                self.ledger.record((fact,))
                kept_merge = self.ledger.merges[fact.merged_id]
                if self.people.surviving.get(fact.merged_id) != kept_merge.surviving_id:
                    self.people.merge(fact.merged_id, kept_merge.surviving_id)
                    changed_people.append(fact.merged_id)
        was_cyclic = self._cyclic
        if any(isinstance(f, Merge) for f in facts):
            self._cyclic = self.people.cyclic()
        if not counting:
            return
        if self._cyclic or was_cyclic:  # countings made with a cycle are not per subject
            self._recount_all()
            return
        pairs: set[tuple[str, str]] = set()
        for act in located:
            pairs.add((act.indicator, self._subject(act)))
        for act_key in revoked:
            for indicator_id, number in self._requirements:
                revoked_act = self.ledger.acts.get((indicator_id, number, act_key))
                if revoked_act is not None:
                    pairs.add((indicator_id, self._subject(revoked_act)))
        for pid in changed_people:
            affected.add(self.people.person(pid))
        touched: set[str] = set()
        for person in affected:
            touched |= self.people.members(person)
        for indicator in self._indicators.values():
            if indicator.unit is Unit.PEOPLE:
                pairs.update((indicator.id, person) for person in affected)
        for pid in touched:
            pairs.update(self._cases_of.get(pid, ()))
        for tally in self._tallies.values():
            for indicator_id, subject in pairs:
                self._recount(tally, self._indicators[indicator_id], subject)

    def holds(self, filters: Filters) -> bool:
        """Whether the figures under `filters` are kept (counted, and updated with each change)."""
        return filters in self._tallies

    def figures(self, filters: Filters) -> Attainment:
        """Exact figures of every indicator under `filters`, as of the facts applied."""
        tally = self._tallies.get(filters)
        if tally is None:
            tally = self._tally(filters)
            self._tallies[filters] = tally
            while len(self._tallies) > KEPT_FILTERS:
                self._tallies.popitem(last=False)
        else:
            self._tallies.move_to_end(filters)
        return assemble(self.logframe, filters, tally.totals)

    def _tally(self, filters: Filters) -> _Tally:
        start, end = window(self.logframe, filters)
        after = day_start(end + timedelta(days=1), self._zone) if end < date.max else None
        tally = _Tally(filters, start, end, day_start(start, self._zone), after)
        if self._cyclic:
            self._fill(tally)
            return tally
        for indicator in self._indicators.values():
            tally.counted[indicator.id] = {}
            tally.totals[indicator.id] = Totals()
            groups = self._groups[indicator.id]
            if indicator.unit is Unit.PEOPLE:
                subjects: Iterable[str] = {self.people.person(pid) for pid in groups}
            else:
                subjects = list(groups)
            for subject in subjects:
                self._recount(tally, indicator, subject)
        return tally

    def _fill(self, tally: _Tally) -> None:
        """Every counting from scratch, with the whole computation's code."""
        found = counted(self.logframe, self.ledger, tally.filters)
        for indicator_id, subjects in found.items():
            tally.counted[indicator_id] = {c.subject: c for c in subjects}
            tally.totals[indicator_id] = Totals.of(subjects)

    def _recount_all(self) -> None:
        for tally in self._tallies.values():
            tally.counted.clear()
            tally.totals.clear()
            self._fill(tally)

    def _recount(self, tally: _Tally, indicator: Indicator, subject: str) -> None:
        revoked, region = self.ledger.revocations, tally.filters.region
        ends_before = tally.ends_before
        if ends_before is not None and tally.starts_at is not None:
            mine = [
                act
                for act in self._acts_of(indicator, subject)
                if act.act_key not in revoked
                and (region in (None, act.region) or region in containing().get(act.region, ()))
                and act.occurred_at < ends_before
            ]
        else:
            mine = [
                act
                for act in self._acts_of(indicator, subject)
                if act.act_key not in revoked
                and considered(act, tally.filters, tally.end, self._zone)
            ]
        mine.sort(key=act_order)
        now = count_subject(
            indicator, subject, mine, self.people, tally.start, self._zone, tally.starts_at,
            dimensions_of(self.logframe),
        )  # fmt: skip
        subjects, totals = tally.counted[indicator.id], tally.totals[indicator.id]
        before = subjects.get(subject)
        if before == now:
            return
        if before is not None:
            totals.add(before, -1)
            del subjects[subject]
        if now is not None:
            totals.add(now, 1)
            subjects[subject] = now

    def _acts_of(self, indicator: Indicator, subject: str) -> Sequence[Act]:
        groups = self._groups[indicator.id]
        if indicator.unit is Unit.CASES:
            return groups.get(subject, ())
        if subject not in self.people.merged_into:
            return groups.get(subject, ()) if self.people.person(subject) == subject else ()
        if self.people.person(subject) != subject:
            return ()
        return [act for pid in self.people.members(subject) for act in groups.get(pid, ())]

    def _subject(self, act: Act) -> str:
        if self._indicators[act.indicator].unit is Unit.PEOPLE:
            return self.people.person(act.participant_id)
        return act.subject

    def _group(self, act: Act) -> str:
        unit = self._indicators[act.indicator].unit
        return act.participant_id if unit is Unit.PEOPLE else act.subject

    def _index(self, act: Act) -> None:
        self._groups[act.indicator].setdefault(self._group(act), []).append(act)
        if self._indicators[act.indicator].unit is Unit.CASES:
            self._cases_of.setdefault(act.participant_id, set()).add((act.indicator, act.subject))

    def _unindex(self, act: Act) -> None:
        group = self._groups[act.indicator].get(self._group(act))
        if group is not None:
            group[:] = [a for a in group if a.key != act.key]
        # `_cases_of` keeps the pair: a case recounted once too often changes nothing.
