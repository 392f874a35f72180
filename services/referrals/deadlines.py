"""How long a unit has to answer, per destination type and urgency: the `respond_by` a request
sets, after which `mark_overdue.py` marks an unanswered referral overdue.

The defaults are the program file's (`referral_destinations[].answer_hours`: how fast each
institution is expected to act, e.g. within a day when urgent for a women's emergency centre);
`PANA_REFERRAL_DEADLINE_HOURS` overrides any of them: `{"<DESTINATION>/<urgency>": hours}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from contracts.vocabulary import ReferralDestination, Urgency
from program.load import current_program
from program.model import Program


def default_hours(program: Program) -> dict[tuple[ReferralDestination, Urgency], float]:
    """The program's answer deadline, in hours, of each (destination type, urgency)."""
    return {
        (destination.code, urgency): destination.hours(urgency)
        for destination in program.referral_destinations
        for urgency in Urgency
    }


class Deadlines:
    """The answer deadline of each (destination type, urgency)."""

    def __init__(
        self, overrides: Mapping[str, float] | None = None, program: Program | None = None
    ) -> None:
        self.hours = default_hours(program or current_program())
        for key, hours in (overrides or {}).items():
            destination, _, urgency = key.partition("/")
            if hours <= 0:
                raise ValueError(f"deadline {key}: hours must be positive")
            if (destination, urgency) not in self.hours:
                raise ValueError(f"deadline {key}: not a destination/urgency of the program")
            self.hours[(destination, Urgency(urgency))] = float(hours)

    def respond_by(
        self, destination: ReferralDestination, urgency: Urgency, requested_at: datetime
    ) -> datetime:
        """When an answer is due for a referral requested at `requested_at`."""
        return requested_at + timedelta(hours=self.hours[(destination, urgency)])
