"""Who a participant id is: merged records resolved to one person, with current attributes.

Resolved at read time from the ledger, never stored per act: a registration, a correction or
a merge that arrives late (or early) changes every figure it should, with nothing to re-apply.
"""

from __future__ import annotations

from datetime import date

from program.ages import age_group_at
from program.load import current_program
from services.indicators.ledger import Ledger

UNKNOWN = "unknown"
"""Sex or age group of a person whose registration has not been consumed yet."""


class Disaggregation:
    """Sex and age group from a person's attributes (`attribute` comes from the subclass)."""

    def attribute(self, person: str, name: str) -> str | None:
        raise NotImplementedError

    def sex(self, person: str) -> str:
        """Sex category, or `unknown` before the registration is consumed (and for a sex the
        program does not list, recorded under another program file: the tables add up)."""
        sex = self.attribute(person, "sex")
        if sex is None or all(listed.code != sex for listed in current_program().sexes):
            return UNKNOWN
        return sex

    def age_group(self, person: str, on: date) -> str:
        """The program's age group on the day of the act (`program.ages`), or `unknown` (no birth
        month, or act before birth)."""
        return _age_group(self.attribute(person, "birth_year_month"), on)


def _age_group(birth: str | None, on: date) -> str:
    if birth is None:
        return UNKNOWN
    try:
        return age_group_at(current_program(), birth, on)
    except ValueError:
        return UNKNOWN


class People(Disaggregation):
    """Identity and attributes of the people in a ledger."""

    def __init__(self, ledger: Ledger) -> None:
        self._surviving = {m.merged_id: m.surviving_id for m in ledger.merges.values()}
        self._values = {key: a.value for key, a in ledger.attributes.items()}
        self._members: dict[str, list[str]] = {}
        for pid in {pid for pid, _ in self._values} | set(self._surviving):
            self._members.setdefault(self.person(pid), []).append(pid)
        for members in self._members.values():
            members.sort()
        self._sexes: dict[str, str] = {}
        self._ages: dict[tuple[str | None, date], str] = {}

    def sex(self, person: str) -> str:
        found = self._sexes.get(person)
        if found is None:
            found = self._sexes[person] = super().sex(person)
        return found

    def age_group(self, person: str, on: date) -> str:
        """As `Disaggregation.age_group`, each birth month and day worked out once."""
        key = (self.attribute(person, "birth_year_month"), on)
        found = self._ages.get(key)
        if found is None:
            found = self._ages[key] = _age_group(*key)
        return found

    def person(self, participant_id: str) -> str:
        """The surviving id of a chain of merges (a cycle, which merges never make, stops)."""
        seen = {participant_id}
        current = participant_id
        while (nxt := self._surviving.get(current)) is not None and nxt not in seen:
            seen.add(nxt)
            current = nxt
        return current

    def attribute(self, person: str, name: str) -> str | None:
        """The person's value: the surviving record's, else a merged record's (lowest id first)."""
        value = self._values.get((person, name))
        if value is not None:
            return value
        for member in self._members.get(person, ()):
            if (found := self._values.get((member, name))) is not None:
                return found
        return None
