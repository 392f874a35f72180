"""Announce the erasure of a person's personal data (the service layer destroys the key)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from contracts.participants import ParticipantErased
from eventkit.decider import RefusalKind, Refused
from services.cases.participant import Participant


@dataclass(frozen=True)
class EraseParticipant:
    erased_by: UUID
    now: datetime


def decide(command: EraseParticipant, state: Participant) -> list[ParticipantErased]:
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
        ParticipantErased(
            participant_id=state.participant_id, erased_by=command.erased_by, erased_at=command.now
        )
    ]
