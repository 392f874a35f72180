"""Livelihood programs: enrolment, selection stages, training finished, verified outcomes.

Outcomes are follow-up data for monitoring, so recording one needs the person's consent for
monitoring and evaluation. Two outcomes depend on earlier facts: employment kept for six months
needs employment obtained at least six months before, and vocational skills used counts only
within six months after finishing the program's training (O.E. 3.5).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from contracts.livelihoods import (
    LivelihoodEnrolled,
    LivelihoodStageScored,
    LivelihoodTrainingFinished,
    SelectionStage,
)
from contracts.outreach import LivelihoodOutcomeRecorded
from contracts.vocabulary import ConsentPurpose, LivelihoodOutcome, LivelihoodProgram, Region
from eventkit.decider import RefusalKind, Refused
from services.cases.participant import Participant, active, require_consent

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


def _enrolled(state: Participant, step: Step) -> UUID:
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


def enrol(step: Step, state: Participant) -> list[LivelihoodEnrolled]:
    """Enrol in a program (once), with consent to receive services."""
    participant_id = active(state)
    require_consent(state, ConsentPurpose.SERVICES)
    if step.program in state.enrolled:
        raise Refused(
            "already_enrolled",
            f"the participant is already enrolled in {step.program}",
            RefusalKind.CONFLICT,
        )
    return [
        LivelihoodEnrolled(
            participant_id=participant_id,
            program=step.program,
            region=step.region,
            enrolled_by=step.by,
            enrolled_at=step.at,
        )
    ]


def score_stage(
    step: Step, stage: SelectionStage, score: int, passed: bool, state: Participant
) -> list[LivelihoodStageScored]:
    """A selection stage's score (0 to 100) and whether it was passed."""
    participant_id = _enrolled(state, step)
    if not 0 <= score <= 100:
        raise Refused("score_out_of_range", "score must be between 0 and 100", RefusalKind.INVALID)
    return [
        LivelihoodStageScored(
            participant_id=participant_id,
            program=step.program,
            stage=stage,
            score=score,
            passed=passed,
            region=step.region,
            scored_by=step.by,
            scored_at=step.at,
        )
    ]


def finish_training(step: Step, state: Participant) -> list[LivelihoodTrainingFinished]:
    """The program's training was finished (once per program)."""
    participant_id = _enrolled(state, step)
    if step.program in state.training_finished:
        raise Refused(
            "training_already_finished",
            "training in this program is already finished",
            RefusalKind.CONFLICT,
        )
    return [
        LivelihoodTrainingFinished(
            participant_id=participant_id,
            program=step.program,
            region=step.region,
            recorded_by=step.by,
            finished_at=step.at,
        )
    ]


WORK_STARTED = frozenset(
    {LivelihoodOutcome.EMPLOYMENT_OBTAINED, LivelihoodOutcome.SELF_EMPLOYMENT_OBTAINED}
)


def record_outcome(
    step: Step, outcome_id: UUID, outcome: LivelihoodOutcome, state: Participant
) -> list[LivelihoodOutcomeRecorded]:
    """A verified outcome at a follow-up date."""
    participant_id = _enrolled(state, step)
    require_consent(state, ConsentPurpose.MONITORING_EVALUATION)
    if outcome is LivelihoodOutcome.EMPLOYMENT_KEPT_6_MONTHS:
        starts = [at for p, o, at in state.outcomes if o in WORK_STARTED]
        if not any(step.at - start >= SIX_MONTHS for start in starts):
            raise Refused(
                "employment_not_six_months",
                "employment_kept_6_months needs employment_obtained or "
                "self_employment_obtained six months before",
                RefusalKind.CONFLICT,
            )
    if outcome is LivelihoodOutcome.VOCATIONAL_SKILLS_USED:
        finished = state.training_finished.get(step.program)
        if finished is None or not finished <= step.at <= finished + SIX_MONTHS:
            raise Refused(
                "outside_training_window",
                "vocational_skills_used counts within six months after finishing the training",
                RefusalKind.CONFLICT,
            )
    return [
        LivelihoodOutcomeRecorded(
            outcome_id=outcome_id,
            participant_id=participant_id,
            program=step.program,
            outcome=outcome,
            region=step.region,
            recorded_by=step.by,
            observed_at=step.at,
        )
    ]
