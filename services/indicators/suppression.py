"""Small cells: what viewers and donors see of GBV-related (sensitive) indicators.

In the suppressed view, a count of 1 to 4 shows as "<5" (primary suppression) and enough other
cells show as "x" (complementary suppression) that no hidden count can be got back by
subtracting visible ones from a visible total. The rule, applied to every line of a table that
has a total (each sex row with its total, each age column with its total, the row of totals,
the region list with the indicator value, the monthly list with the value): a line hides either
nothing or at least two of its counts. Running totals per month hide where two visible ones
would bracket exactly one hidden month. Exact figures are for authorised M&E staff only.
"""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum

from services.indicators.attainment import TOTAL, Attainment, Cell, IndicatorFigures, Month

SMALL = "<5"
HIDDEN = "x"


class View(StrEnum):
    """Exact figures (M&E staff) or figures with small cells suppressed (everyone else)."""

    EXACT = "exact"
    SUPPRESSED = "suppressed"


def in_view(attainment: Attainment, view: View) -> Attainment:
    """The figures as `view` shows them."""
    if view is View.EXACT:
        return replace(attainment, view=view.value)
    shown = [suppress(i) if i.sensitive else i for i in attainment.indicators]
    return replace(attainment, view=view.value, indicators=shown)


def suppress(figures: IndicatorFigures) -> IndicatorFigures:
    """One sensitive indicator's figures with small cells (and their complements) hidden."""
    value = int(figures.value)
    if 0 < value < 5:
        # Every non-zero count is below 5: all of them are small cells.
        def small(n: Cell) -> Cell:
            return SMALL if int(n) else 0

        return replace(
            figures,
            value=SMALL,
            percent=None,
            sex_age={
                r: {c: small(n) for c, n in row.items()} for r, row in figures.sex_age.items()
            },
            regions={r: small(n) for r, n in figures.regions.items()},
            months=[Month(m.month, small(m.new), small(m.cumulative)) for m in figures.months],
        )
    return replace(
        figures,
        sex_age=_table(figures.sex_age),
        regions=_line({k: int(v) for k, v in figures.regions.items()}),
        months=_months(figures.months),
    )


def _hide(
    counts: dict[tuple[str, str], int], lines: list[list[tuple[str, str]]]
) -> set[tuple[str, str]]:
    """Primary then complementary suppression until no line hides exactly one count."""
    hidden = {k for k, n in counts.items() if 0 < n < 5}
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(k in hidden for k in line) != 1:
                continue
            candidates = [k for k in line if k not in hidden and counts[k] > 0 and k[0] != "*"]
            if candidates:
                hidden.add(min(candidates, key=lambda k: (counts[k], k)))
                changed = True
    return hidden


def _mark(n: int, is_hidden: bool) -> Cell:
    return (SMALL if n < 5 else HIDDEN) if is_hidden else n


def _table(table: dict[str, dict[str, Cell]]) -> dict[str, dict[str, Cell]]:
    counts = {(r, c): int(n) for r, row in table.items() for c, n in row.items()}
    counts[("*", "*")] = counts.pop((TOTAL, TOTAL))  # the indicator value: always shown
    rows = list(table)
    cols = list(table[rows[0]])
    key = {(r, c): (("*", "*") if (r, c) == (TOTAL, TOTAL) else (r, c)) for r in rows for c in cols}
    lines = [[key[(r, c)] for c in cols] for r in rows] + [
        [key[(r, c)] for r in rows] for c in cols
    ]
    hidden = _hide(counts, lines)
    return {r: {c: _mark(counts[key[(r, c)]], key[(r, c)] in hidden) for c in cols} for r in rows}


def _line(cells: dict[str, int]) -> dict[str, Cell]:
    counts = {("", k): n for k, n in cells.items()}
    counts[("*", "*")] = sum(cells.values())
    hidden = _hide(counts, [list(counts)])
    return {k: _mark(n, ("", k) in hidden) for k, n in cells.items()}


def _months(months: list[Month]) -> list[Month]:
    new = _line({m.month: int(m.new) for m in months})
    visible, pending = [], 0
    for m in months:
        pending += new[m.month] != m.new
        small = 0 < int(m.cumulative) < 5
        if pending == 1 or small:
            visible.append(False)
        else:
            visible.append(True)
            pending = 0
    # The value (last running total) is always public: never leave one hidden month after the
    # last visible running total; merge segments backwards until that tail hides 0 or >= 2.
    while pending == 1 and any(visible):
        last = max(i for i, shown in enumerate(visible) if shown)
        visible[last] = False
        pending = sum(new[m.month] != m.new for m in months[last:])
    return [
        Month(m.month, new[m.month], m.cumulative if shown else _mark(int(m.cumulative), True))
        for m, shown in zip(months, visible, strict=True)
    ]
