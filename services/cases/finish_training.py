"""A livelihood program's training was finished (once per program)."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.livelihoods import LivelihoodTrainingFinished
from eventkit.decider import RefusalKind, Refused
from services.cases.livelihoods import Step, enrolled
from services.cases.participant import Participant


@dataclass(frozen=True)
class FinishTraining:
    step: Step


def decide(command: FinishTraining, state: Participant) -> list[LivelihoodTrainingFinished]:
    """Only on an enrolled record; once per program."""
    step = command.step
    participant_id = enrolled(state, step)
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
