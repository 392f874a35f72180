"""A verified livelihood outcome at a follow-up date; needs consent for monitoring and
evaluation. Employment kept six months needs work started six months before; vocational skills
used counts within six months after the program's training (O.E. 3.5)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from contracts.outreach import LivelihoodOutcomeRecorded
from contracts.vocabulary import ConsentPurpose, LivelihoodOutcome
from eventkit.decider import RefusalKind, Refused
from services.cases.livelihoods import SIX_MONTHS, WORK_STARTED, Step, enrolled
from services.cases.participant import Participant, require_consent


@dataclass(frozen=True)
class RecordOutcome:
    step: Step
    outcome_id: UUID
    outcome: LivelihoodOutcome


def decide(command: RecordOutcome, state: Participant) -> list[LivelihoodOutcomeRecorded]:
    step = command.step
    participant_id = enrolled(state, step)
    require_consent(state, ConsentPurpose.MONITORING_EVALUATION)
    if command.outcome is LivelihoodOutcome.EMPLOYMENT_KEPT_6_MONTHS:
        starts = [at for p, o, at in state.outcomes if o in WORK_STARTED]
        if not any(step.at - start >= SIX_MONTHS for start in starts):
            raise Refused(
                "employment_not_six_months",
                "employment_kept_6_months needs employment_obtained or "
                "self_employment_obtained six months before",
                RefusalKind.CONFLICT,
            )
    if command.outcome is LivelihoodOutcome.VOCATIONAL_SKILLS_USED:
        finished = state.training_finished.get(step.program)
        if finished is None or not finished <= step.at <= finished + SIX_MONTHS:
            raise Refused(
                "outside_training_window",
                "vocational_skills_used counts within six months after finishing the training",
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
