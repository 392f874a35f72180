"""Score a livelihood program's selection stage (0 to 100) and say whether it was passed."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.livelihoods import LivelihoodStageScored, SelectionStage
from eventkit.decider import RefusalKind, Refused
from services.cases.livelihoods import Step, enrolled
from services.cases.participant import Participant


@dataclass(frozen=True)
class ScoreStage:
    step: Step
    stage: SelectionStage
    score: int
    passed: bool


def decide(command: ScoreStage, state: Participant) -> list[LivelihoodStageScored]:
    step = command.step
    participant_id = enrolled(state, step)
    if not 0 <= command.score <= 100:
        raise Refused("score_out_of_range", "score must be between 0 and 100", RefusalKind.INVALID)
    return [
        LivelihoodStageScored(
            participant_id=participant_id,
            program=step.program,
            stage=command.stage,
            score=command.score,
            passed=command.passed,
            region=step.region,
            scored_by=step.by,
            scored_at=step.at,
        )
    ]
