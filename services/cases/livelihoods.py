"""Livelihood programs: what every step shares (enrolment, selection stages, training finished,
verified outcomes are each their own use case: `enrol.py`, `score_stage.py`,
`finish_training.py`, `record_outcome.py`).

Outcomes are follow-up data for monitoring, so recording one needs the person's consent for
monitoring and evaluation. Two outcomes depend on earlier facts: employment kept for six months
needs employment obtained at least six months before, and vocational skills used counts only
within six months after finishing the program's training (O.E. 3.5).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from contracts.vocabulary import LivelihoodOutcome, LivelihoodProgram, Region
from eventkit.decider import RefusalKind, Refused
from services.cases.participant import Participant, active

SIX_MONTHS = timedelta(days=182)
_CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class Step:
    """Who records which program fact, where and when."""

    program: LivelihoodProgram
    region: Region
    by: UUID
    at: datetime
    now: datetime


def enrolled(state: Participant, step: Step) -> UUID:
    """The participant's id if the step is on an active, enrolled record and not in the future."""
    participant_id = active(state)
    if step.at > step.now + _CLOCK_SKEW:
        raise Refused("date_in_future", "the date is in the future", RefusalKind.INVALID)
    if step.program not in state.enrolled:
        raise Refused(
            "not_enrolled",
            f"the participant is not enrolled in {step.program}",
            RefusalKind.CONFLICT,
        )
    return participant_id


WORK_STARTED = frozenset(
    {LivelihoodOutcome.EMPLOYMENT_OBTAINED, LivelihoodOutcome.SELF_EMPLOYMENT_OBTAINED}
)
