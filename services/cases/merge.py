"""Merge a duplicate record into the surviving one: the duplicate's stream ends here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from contracts.participants import MergeReason, ParticipantMerged
from eventkit.decider import RefusalKind, Refused
from eventkit.field_time import PROGRAM_RULES, FieldTimeRules, happened
from services.cases.participant import Participant, active


@dataclass(frozen=True)
class MergeParticipant:
    surviving: Participant  # folded by the service layer from the surviving record's stream
    reason: MergeReason
    merged_by: UUID
    now: datetime
    occurred_at: datetime | None = None  # when it happened in the field; None: now
    rules: FieldTimeRules = PROGRAM_RULES


def decide(command: MergeParticipant, state: Participant) -> list[ParticipantMerged]:
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
    merged_at = happened(
        "merged", command.occurred_at, command.now, command.rules,
        [("registration", state.registered_at),
         ("registration", command.surviving.registered_at)],
    )  # fmt: skip
    return [
        ParticipantMerged(
            merged_participant_id=merged_id,
            surviving_participant_id=command.surviving.participant_id,
            reason=command.reason,
            merged_by=command.merged_by,
            merged_at=merged_at,
        )
    ]
