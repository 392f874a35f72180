"""How long a unit has to answer, per destination type and urgency: the `respond_by` a request
sets, after which `mark_overdue.py` marks an unanswered referral overdue.

The defaults follow how fast each institution is expected to act (a CEM or a child-protection
unit within a day when urgent); `PANA_REFERRAL_DEADLINE_HOURS` overrides any of them, e.g.
`{"CEM/urgent": 12, "SIS/routine": 120}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from contracts.vocabulary import ReferralDestination, Urgency

D, U = ReferralDestination, Urgency

DEFAULT_HOURS: dict[tuple[ReferralDestination, Urgency], float] = {
    **{(d, U.ROUTINE): 120.0 for d in D},
    **{(d, U.URGENT): 48.0 for d in D},
    (D.CEM, U.ROUTINE): 72.0,
    (D.CEM, U.URGENT): 24.0,
    (D.UPE, U.ROUTINE): 72.0,
    (D.UPE, U.URGENT): 24.0,
    (D.TRATA_MININTER, U.URGENT): 24.0,
    (D.EESS, U.URGENT): 24.0,
    (D.SIS, U.ROUTINE): 168.0,
    (D.CSMC, U.ROUTINE): 168.0,
    (D.DEFENSORIA, U.ROUTINE): 240.0,
    (D.MIGRACIONES, U.ROUTINE): 336.0,
}


class Deadlines:
    """The answer deadline of each (destination type, urgency)."""

    def __init__(self, overrides: Mapping[str, float] | None = None) -> None:
        self.hours = dict(DEFAULT_HOURS)
        for key, hours in (overrides or {}).items():
            destination, _, urgency = key.partition("/")
            if hours <= 0:
                raise ValueError(f"deadline {key}: hours must be positive")
            self.hours[(D(destination), U(urgency))] = float(hours)

    def respond_by(
        self, destination: ReferralDestination, urgency: Urgency, requested_at: datetime
    ) -> datetime:
        """When an answer is due for a referral requested at `requested_at`."""
        return requested_at + timedelta(hours=self.hours[(destination, urgency)])
