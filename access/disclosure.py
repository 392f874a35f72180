"""Disclosure control of published counts: who sees them exact, and the rule for everyone else.

M&E officers and administrators are trusted with exact counts. Every other caller who may read
aggregates (viewers, supervisors, anonymous readers of public figures) gets each count through
`published`, from that count's own exact value only: 0-4 show as "<5", any other count is
rounded down to a multiple of 5 (5-9 show 5, 10-14 show 10). Every number such a caller sees is
then a multiple of 5, and so is any sum or difference of them: differencing two queries never
gives a count 1-4. Rounding down, not to the nearest, makes every shown number stand for five
counts in the same place ("<5" for 0-4, n for n..n+4): an attacker who bounds a hidden count by
a total minus its other parts pins it only when at least five published counts sit at an edge
of their rounding at once (with nearest rounding, 5 stands for 5-7 only, and two sufficed:
a running total shown "<5" then 10 gave the month's 4 back). Services pair the rule with fixed
periods (no day ranges a day apart to subtract). A service may also hide a cell whose count is
below a minimum of its own (`small_cell`). This module is the one owner of the rule: the
indicators' suppressed view and the referrals' response-time cells both use it.
"""

from __future__ import annotations

from access.principal import Principal, Role

EXACT_ROLES = frozenset({Role.ME_OFFICER, Role.ADMINISTRATOR})
SMALL = "<5"
BASE = 5


def sees_exact(principal: Principal | None) -> bool:
    """Whether a caller (None: anonymous) is trusted with exact counts."""
    return principal is not None and principal.role in EXACT_ROLES


def published(count: int) -> int | str:
    """A count as callers without exact access see it: "<5" (0-4), or rounded down to a
    multiple of 5 (5-9 show 5): each shown number stands for the five counts `shown_as` gives."""
    if count < BASE:
        return SMALL
    return BASE * (count // BASE)


def shown_as(shown: int | str) -> tuple[int, int]:
    """The exact counts a published count may stand for, first and last (five of them)."""
    first = 0 if shown == SMALL else int(shown)
    return first, first + BASE - 1


def small_cell(count: int, min_cell: int, *, exact: bool) -> str | None:
    """The mark shown instead of a cell's figures when `count` people stand behind it, or None
    when the cell is shown: below the service's `min_cell` ("<10"); for a caller without
    exact access also below the rule's base ("<5", as `published` shows the count)."""
    if count < min_cell and (exact or min_cell > BASE):
        return f"<{min_cell}"
    if not exact and count < BASE:
        return SMALL
    return None
