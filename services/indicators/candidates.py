"""Where a subject can be counted: its candidate counting acts, per region scope (pure).

`attainment.count_subject` counts a subject at the first act, inside the window, at or after
the moment all requirements hold. Filters only narrow which acts are considered: a region
(then "all requirements hold" is judged on that region's acts) and the window's last day (an
act after it is not considered). Acts are weighed in time order, so for a window [start, end]:

- a requirement met only after `end` leaves the subject uncounted, and so does the moment all
  requirements hold falling after `end`: no act at or after that moment lies in the window;
- otherwise the subject counts at the first act at or after that moment whose local day is in
  [start, end], if there is one.

So one list per (subject, scope) answers every window: the first act of each local day at or
after the moment all requirements hold in that scope (national, or one region), each with the
cell it would count in (sex and age group of its person on its day, its region, its day, its
value in each program dimension). The
database keeps these rows (`counted_state`); a filtered read is "the first candidate in the
window, per subject".
"""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from services.indicators.attainment import Persons, act_order
from services.indicators.dimensions import Dimension, containing, values_of
from services.indicators.facts import Act
from services.indicators.logframe import Indicator

NATIONAL = ""
"""The scope of figures not filtered by region."""


class Candidate(NamedTuple):
    """An act a subject can be counted at, in `scope`, with the cell it counts in there."""

    indicator: str
    subject: str
    scope: str
    occurred_at: datetime
    event_id: str
    day: date
    sex: str
    age_group: str
    region: str
    dims: tuple[str, ...] = ()
    """Its value in each of the logframe's program dimensions (`dimensions`)."""


def candidates(
    indicator: Indicator,
    subject: str,
    live: list[Act],
    people: Persons,
    zone: ZoneInfo,
    dims: tuple[Dimension, ...] = (),
) -> list[Candidate]:
    """The candidates of one subject from its live acts (any order), nationally and per region.

    One per local day (the first act of the day in `act_order`, the act `count_subject` would
    pick): windows are whole days, so a later act of the same day is never the first in one.
    Each act's day and cell are worked out once, and a scope holding every act (a subject seen
    in one region) has the national candidates under its own name.
    """
    mine = sorted(live, key=act_order)
    days = [a.occurred_at.astimezone(zone).date() for a in mine]
    cells: dict[int, tuple[str, str, tuple[str, ...]]] = {}
    found: list[Candidate] = []
    above = containing()
    regions = {a.region for a in mine}
    scopes = [NATIONAL, *sorted(regions | {t for r in regions for t in above.get(r, ())})]
    national: list[Candidate] = []
    for scope in scopes:
        places = range(len(mine)) if scope == NATIONAL else [
            n for n, a in enumerate(mine) if a.region == scope or scope in above.get(a.region, ())
        ]  # fmt: skip
        if scope != NATIONAL and len(places) == len(mine):
            found += [Candidate._make((*c[:2], scope, *c[3:])) for c in national]
            continue
        first: dict[int, Act] = {}
        for n in places:
            first.setdefault(mine[n].requirement, mine[n])
        if len(first) < len(indicator.requires):
            continue
        all_met = max((a.occurred_at, a.event_id) for a in first.values())
        seen: set[date] = set()
        for n in places:
            act = mine[n]
            on = days[n]
            if on in seen or (act.occurred_at, act.event_id) < all_met:
                continue
            seen.add(on)
            cell = cells.get(n)
            if cell is None:
                person = people.person(act.participant_id)
                cell = cells[n] = (people.sex(person), people.age_group(person, on),
                                   values_of(dims, people, person, act.region))  # fmt: skip
            row = Candidate(indicator.id, subject, scope, act.occurred_at, act.event_id, on,
                            cell[0], cell[1], act.region, cell[2])  # fmt: skip
            found.append(row)
            if scope == NATIONAL:
                national.append(row)
    return found
