"""Enrol a person in a livelihood program (once), with consent to receive services."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.livelihoods import LivelihoodEnrolled
from contracts.vocabulary import ConsentPurpose
from eventkit.decider import RefusalKind, Refused
from services.cases.livelihoods import Step, dated
from services.cases.participant import Participant, active, require_consent


@dataclass(frozen=True)
class Enrol:
    step: Step


def decide(command: Enrol, state: Participant) -> list[LivelihoodEnrolled]:
    """Once per program."""
    step = command.step
    participant_id = active(state)
    dated(state, step)
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
