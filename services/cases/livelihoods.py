"""Livelihood programs: what every step shares (enrolment, selection stages, training finished,
verified outcomes are each their own use case: `enrol.py`, `score_stage.py`,
`finish_training.py`, `record_outcome.py`).

Outcomes are follow-up data for monitoring, so recording one needs the person's consent for
monitoring and evaluation. The program file says which outcomes depend on earlier facts
(`livelihood_outcomes[].needs`; Peru: employment kept for six months needs employment obtained at
least six months before, and vocational skills used counts only within six months after finishing
the program's training, O.E. 3.5).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from contracts.vocabulary import LivelihoodProgram, Region
from eventkit.decider import RefusalKind, Refused
from eventkit.field_time import PROGRAM_RULES, FieldTimeRules, happened
from program.load import current_program
from services.cases.participant import Participant, active

SIX_MONTHS = timedelta(days=182)


@dataclass(frozen=True)
class Step:
    """Who records which program fact, where and when."""

    program: LivelihoodProgram
    region: Region
    by: UUID
    at: datetime
    now: datetime
    rules: FieldTimeRules = PROGRAM_RULES


def dated(state: Participant, step: Step) -> None:
    """The step's date follows the field-time rules (`date_in_future`, ...): after the person
    was registered."""
    happened("date", step.at, step.now, step.rules, [("registration", state.registered_at)])


def enrolled(state: Participant, step: Step) -> UUID:
    """The participant's id if the step is on an active, enrolled record and not in the future."""
    participant_id = active(state)
    dated(state, step)
    if step.program not in state.enrolled:
        raise Refused(
            "not_enrolled",
            f"the participant is not enrolled in {step.program}",
            RefusalKind.CONFLICT,
        )
    return participant_id


def work_started() -> frozenset[str]:
    """The running program's outcomes that count as work started (`starts_work`)."""
    return frozenset(o.code for o in current_program().livelihood_outcomes if o.starts_work)
