"""Who may record an act long after it happened: `entry.late` in the policy (supervisors).

The moment rules themselves are pure (`eventkit.field_time`); this is where the caller's role
meets them, so every service's command layer asks one question the same way.
"""

from __future__ import annotations

from datetime import datetime

from access import policy
from access.principal import Principal
from eventkit.field_time import FieldTimeRules, is_late, late_entry


def late_entry_note(
    principal: Principal, occurred_at: datetime | None, now: datetime, rules: FieldTimeRules
) -> str | None:
    """The audit note of a late entry by `principal` (None when not late).

    Refused `late_entry_needs_supervisor` (forbidden) when it is late and the caller's role may
    not record late entries.
    """
    if occurred_at is None or not is_late(occurred_at, now, rules):
        return None  # not a late entry: nothing to ask the policy
    # Through the module, as every decision is taken (one seam a test can record it at).
    allowed = policy.decide(principal, "entry.late", policy.ResourceScope(), now=now).allowed
    return late_entry(occurred_at, now, allowed, rules)
