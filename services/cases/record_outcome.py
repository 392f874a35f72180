"""A verified livelihood outcome at a follow-up date; needs consent for monitoring and
evaluation. What an outcome needs first is the program file's (`livelihood_outcomes[].needs`):
work started (an outcome marked `starts_work`) six months before, or the line's training finished
within the six months before (Peru: employment kept six months; vocational skills used)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from contracts.outreach import LivelihoodOutcomeRecorded
from contracts.vocabulary import ConsentPurpose, LivelihoodOutcome
from eventkit.decider import RefusalKind, Refused
from program.load import current_program
from program.model import LivelihoodOutcomeKind
from services.cases.livelihoods import SIX_MONTHS, Step, enrolled, work_started
from services.cases.participant import Participant, require_consent
from services.cases.program_terms import unknown


@dataclass(frozen=True)
class RecordOutcome:
    step: Step
    outcome_id: UUID
    outcome: LivelihoodOutcome


def decide(command: RecordOutcome, state: Participant) -> list[LivelihoodOutcomeRecorded]:
    step = command.step
    participant_id = enrolled(state, step)
    require_consent(state, ConsentPurpose.MONITORING_EVALUATION)
    needs = _outcome(command.outcome).needs
    if needs == "work_started_six_months_before":
        started = work_started()
        starts = [at for p, o, at in state.outcomes if o in started]
        if not any(step.at - start >= SIX_MONTHS for start in starts):
            raise Refused(
                "employment_not_six_months",
                f"{command.outcome} needs {' or '.join(sorted(started))} six months before",
                RefusalKind.CONFLICT,
            )
    if needs == "within_six_months_of_training":
        finished = state.training_finished.get(step.program)
        if finished is None or not finished <= step.at <= finished + SIX_MONTHS:
            raise Refused(
                "outside_training_window",
                f"{command.outcome} counts within six months after finishing the training",
                RefusalKind.CONFLICT,
            )
    return [
        LivelihoodOutcomeRecorded(
            outcome_id=command.outcome_id,
            participant_id=participant_id,
            program=step.program,
            outcome=command.outcome,
            region=step.region,
            recorded_by=step.by,
            observed_at=step.at,
        )
    ]


def _outcome(code: str) -> LivelihoodOutcomeKind:
    """The program's outcome `code`; an unknown one is refused, naming it."""
    try:
        return current_program().livelihood_outcome(code)
    except KeyError:
        raise unknown("livelihood_outcome", code) from None
