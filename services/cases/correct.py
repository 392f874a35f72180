"""Correct a person's coarse attributes (personal fields are resealed by the service layer)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from contracts.participants import CorrectionReason, ParticipantCorrected
from contracts.people import Sex
from contracts.vocabulary import Region
from services.cases.participant import Participant, active
from services.cases.register import birth_month


@dataclass(frozen=True)
class CorrectParticipant:
    reason: CorrectionReason
    corrected_by: UUID
    now: datetime
    sex: Sex | None = None
    born_on: date | None = None
    estimated: bool | None = None
    nationality: str | None = None
    region: Region | None = None
    population_type: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)


def decide(command: CorrectParticipant, state: Participant) -> list[ParticipantCorrected]:
    """A correction of coarse attributes; none of them given means no event (personal only)."""
    participant_id = active(state)
    month = birth_month(command.born_on, command.now) if command.born_on else None
    changes = (
        command.sex, month, command.estimated, command.nationality, command.region,
        command.population_type,
    )  # fmt: skip
    if all(value is None for value in changes) and not command.attributes:
        return []
    return [
        ParticipantCorrected(
            participant_id=participant_id,
            reason=command.reason,
            sex=command.sex,
            birth_year_month=month,
            birth_date_estimated=command.estimated,
            nationality=command.nationality,
            region=command.region,
            population_type=command.population_type,
            attributes=command.attributes,
            corrected_by=command.corrected_by,
            corrected_at=command.now,
        )
    ]
