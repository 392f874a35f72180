"""The cells of the published periods that candidates count in (pure).

Per scope and published period a subject counts once: at its first candidate (in
`(occurred_at, event_id)` order, the order `count_subject` weighs acts in) whose day lies in
the period, in that candidate's cell. `counted_state` keeps these counts in the `cells` table
by difference: a recount adds what the changed subjects count in now and takes out what they
counted in before, so subjects whose candidates did not change cost nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date

from services.indicators.candidates import Candidate
from services.indicators.periods import Period

Cell = tuple[str, str, str, str, str, str, str, tuple[str, ...]]
"""Scope, period label, indicator, sex, age group, region, month (`YYYY-MM`), dimensions."""


def counted_cells(rows: Iterable[Candidate], periods: Sequence[Period]) -> Counter[Cell]:
    """How many subjects count in each cell of each published period, from their candidates."""
    within: dict[date, list[str]] = {}
    first: dict[tuple[str, str, str, str], Candidate] = {}
    for c in rows:
        labels = within.get(c.day)
        if labels is None:
            labels = within[c.day] = [p.label for p in periods if p.start <= c.day <= p.end]
        for label in labels:
            key = (c.scope, label, c.indicator, c.subject)
            kept = first.get(key)
            if kept is None or (c.occurred_at, c.event_id) < (kept.occurred_at, kept.event_id):
                first[key] = c
    return Counter(
        (scope, label, indicator, c.sex, c.age_group, c.region, f"{c.day:%Y-%m}", c.dims)
        for (scope, label, indicator, _), c in first.items()
    )
