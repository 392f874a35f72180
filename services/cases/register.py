"""Register, correct, merge and erase participant records (pure rules)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from contracts.participants import (
    CorrectionReason,
    MergeReason,
    ParticipantCorrected,
    ParticipantErased,
    ParticipantMerged,
    ParticipantRegistered,
)
from contracts.people import Sex
from contracts.vocabulary import Region
from eventkit.decider import RefusalKind, Refused
from services.cases.participant import Participant, active


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


def register(command: RegisterParticipant, state: Participant) -> list[ParticipantRegistered]:
    """A new record, with only the coarse attributes reports group by."""
    if state.participant_id is not None:
        raise Refused(
            "already_registered",
            f"participant {command.participant_id} exists",
            RefusalKind.CONFLICT,
        )
    return [
        ParticipantRegistered(
            participant_id=command.participant_id,
            sex=command.sex,
            birth_year_month=birth_month(command.born_on, command.now),
            birth_date_estimated=command.estimated,
            nationality=command.nationality,
            region=command.region,
            registered_by=command.registered_by,
            registered_at=command.now,
        )
    ]


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


def correct(command: CorrectParticipant, state: Participant) -> list[ParticipantCorrected]:
    """A correction of coarse attributes; none of them given means no event (personal only)."""
    participant_id = active(state)
    month = birth_month(command.born_on, command.now) if command.born_on else None
    changes = (command.sex, month, command.estimated, command.nationality, command.region)
    if all(value is None for value in changes):
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
            corrected_by=command.corrected_by,
            corrected_at=command.now,
        )
    ]


@dataclass(frozen=True)
class MergeParticipant:
    surviving: Participant  # folded by the service layer from the surviving record's stream
    reason: MergeReason
    merged_by: UUID
    now: datetime


def merge(command: MergeParticipant, state: Participant) -> list[ParticipantMerged]:
    """The duplicate (this stream) ends in a merge into a surviving, active record."""
    merged_id = active(state)
    if command.surviving.participant_id is None:
        raise Refused(
            "participant_not_found",
            "the surviving participant does not exist",
            RefusalKind.NOT_FOUND,
        )
    if command.surviving.merged_into is not None:
        raise Refused(
            "surviving_merged",
            f"the surviving record was itself merged into {command.surviving.merged_into}",
            RefusalKind.CONFLICT,
        )
    if command.surviving.erased:
        raise Refused(
            "participant_erased",
            "the surviving record's personal data was erased",
            RefusalKind.CONFLICT,
        )
    if command.surviving.participant_id == merged_id:
        raise Refused(
            "merge_into_itself", "a participant cannot be merged into itself", RefusalKind.INVALID
        )
    return [
        ParticipantMerged(
            merged_participant_id=merged_id,
            surviving_participant_id=command.surviving.participant_id,
            reason=command.reason,
            merged_by=command.merged_by,
            merged_at=command.now,
        )
    ]


def erase(state: Participant, erased_by: UUID, now: datetime) -> list[ParticipantErased]:
    """Announce an erasure (a merged-away record too: its own data is erased); once only."""
    if state.participant_id is None:
        raise Refused("participant_not_found", "no such participant", RefusalKind.NOT_FOUND)
    if state.erased:
        raise Refused(
            "participant_erased",
            "this participant's personal data is already erased",
            RefusalKind.CONFLICT,
        )
    return [
        ParticipantErased(participant_id=state.participant_id, erased_by=erased_by, erased_at=now)
    ]
