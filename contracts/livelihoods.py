"""Events of a participant's path through a livelihood program: enrolment, selection, training.

Recorded on the participant's stream. The outcomes counted by O.E. 3.1 to 3.5 are
``livelihood.outcome_recorded`` (see ``contracts.outreach``); these events say who took part, how
the selection went and when training ended (O.E. 3.5 counts skills used within six months of it).
"""

from enum import StrEnum
from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import Field

from contracts.participants import ParticipantEvent
from contracts.scalars import UtcDateTime
from contracts.vocabulary import LivelihoodProgram, Region


class SelectionStage(StrEnum):
    """The three selection stages of the open call ("¡Impúlsate, Pana!")."""

    REGISTRATION_SCORING = "registration_scoring"  # vulnerability scoring + self-assessment test
    PITCH_VIDEO = "pitch_video"  # elevator-pitch video, 5 criteria
    INTERVIEW = "interview"  # personal interview, 5 criteria


class LivelihoodEnrolled(ParticipantEvent):
    """A participant was enrolled in a livelihood program."""

    event_type: ClassVar[str] = "livelihood.enrolled"

    participant_id: UUID
    program: LivelihoodProgram
    region: Region
    enrolled_by: UUID
    enrolled_at: UtcDateTime


class LivelihoodStageScored(ParticipantEvent):
    """A selection stage was scored (0 to 100) and passed or not."""

    event_type: ClassVar[str] = "livelihood.stage_scored"

    participant_id: UUID
    program: LivelihoodProgram
    stage: SelectionStage
    score: Annotated[int, Field(ge=0, le=100)]
    passed: bool
    region: Region
    scored_by: UUID
    scored_at: UtcDateTime


class LivelihoodTrainingFinished(ParticipantEvent):
    """A participant finished the technical training or mentoring of a program."""

    event_type: ClassVar[str] = "livelihood.training_finished"

    participant_id: UUID
    program: LivelihoodProgram
    region: Region
    recorded_by: UUID
    finished_at: UtcDateTime
