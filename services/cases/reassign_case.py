"""Hand an open case to another caseworker (and region)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from contracts.cases import CaseReassigned, ReassignmentReason
from contracts.vocabulary import Region
from eventkit.decider import RefusalKind, Refused
from eventkit.field_time import PROGRAM_RULES, FieldTimeRules, happened
from services.cases.case import Case, open_only


@dataclass(frozen=True)
class ReassignCase:
    caseworker_id: UUID
    region: Region
    reason: ReassignmentReason
    by: UUID
    now: datetime
    occurred_at: datetime | None = None  # when it happened in the field; None: now
    rules: FieldTimeRules = PROGRAM_RULES


def decide(command: ReassignCase, state: Case) -> list[CaseReassigned]:
    """A no-op hand-over (same caseworker and region) is refused."""
    case_id, participant_id, _ = open_only(state, "reassigning it")
    if command.caseworker_id == state.caseworker_id and command.region == state.region:
        raise Refused(
            "already_assigned",
            "the case is already with this caseworker and region",
            RefusalKind.CONFLICT,
        )
    at = happened(
        "reassigned", command.occurred_at, command.now, command.rules,
        [("opening", state.opened_at)],
    )  # fmt: skip
    return [
        CaseReassigned(
            case_id=case_id,
            participant_id=participant_id,
            caseworker_id=command.caseworker_id,
            region=command.region,
            reason=command.reason,
            reassigned_by=command.by,
            reassigned_at=at,
        )
    ]
