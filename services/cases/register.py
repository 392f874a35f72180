"""Register a person: a new record carrying only the coarse attributes reports group by."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from contracts.participants import ParticipantRegistered
from contracts.people import Sex
from contracts.vocabulary import Region
from eventkit.decider import RefusalKind, Refused
from eventkit.field_time import PROGRAM_RULES, FieldTimeRules, happened
from services.cases.participant import Participant


def birth_month(born_on: date, now: datetime) -> str:
    """The `YYYY-MM` events carry; refuses a birth date in the future or over 120 years ago."""
    if born_on > now.date():
        raise Refused("birth_date_in_future", "birth_date is in the future", RefusalKind.INVALID)
    if now.year - born_on.year > 120:
        raise Refused(
            "birth_date_implausible", "birth_date is more than 120 years ago", RefusalKind.INVALID
        )
    return f"{born_on.year:04d}-{born_on.month:02d}"


@dataclass(frozen=True)
class RegisterParticipant:
    participant_id: UUID
    sex: Sex
    born_on: date
    estimated: bool
    nationality: str
    region: Region
    registered_by: UUID
    now: datetime
    occurred_at: datetime | None = None  # when it happened in the field; None: now
    rules: FieldTimeRules = PROGRAM_RULES
    population_type: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)


def decide(command: RegisterParticipant, state: Participant) -> list[ParticipantRegistered]:
    """A new record, with only the coarse attributes reports group by."""
    if state.participant_id is not None:
        raise Refused(
            "already_registered",
            f"participant {command.participant_id} exists",
            RefusalKind.CONFLICT,
        )
    registered_at = happened("registered", command.occurred_at, command.now, command.rules)
    return [
        ParticipantRegistered(
            participant_id=command.participant_id,
            sex=command.sex,
            birth_year_month=birth_month(command.born_on, registered_at),
            birth_date_estimated=command.estimated,
            nationality=command.nationality,
            region=command.region,
            population_type=command.population_type,
            attributes=command.attributes,
            registered_by=command.registered_by,
            registered_at=registered_at,
        )
    ]
