"""Disclosure control of published counts: who sees them exact, and the rule for everyone else.

M&E officers and administrators are trusted with exact counts. Every other caller who may read
aggregates (viewers, supervisors, anonymous readers of public figures) gets each count through
`published`, from that count's own exact value only: 0-4 show as "<5", any other count is
rounded to the nearest multiple of 5. Every number such a caller sees is then a multiple of 5,
and so is any sum or difference of them: differencing two queries never gives a count 1-4.
Services pair the rule with fixed periods (no day ranges a day apart to subtract).
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
    """A count as callers without exact access see it: "<5" (0-4), or rounded to base 5.

    Halves do not occur (5 is odd): a remainder of 0-2 rounds down, 3-4 up; 5-7 show 5.
    """
    if count < BASE:
        return SMALL
    return BASE * ((count + BASE // 2) // BASE)
