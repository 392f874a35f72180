"""Reopen a closed case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from contracts.cases import CaseReopened, CaseReopeningReason
from eventkit.decider import RefusalKind, Refused
from eventkit.field_time import PROGRAM_RULES, FieldTimeRules, happened
from services.cases.case import Case, Status, existing


@dataclass(frozen=True)
class ReopenCase:
    reason: CaseReopeningReason
    by: UUID
    now: datetime
    occurred_at: datetime | None = None  # when it happened in the field; None: now
    rules: FieldTimeRules = PROGRAM_RULES


def decide(command: ReopenCase, state: Case) -> list[CaseReopened]:
    """Only a closed case can be reopened."""
    case_id, participant_id, _ = existing(state)
    if state.status is not Status.CLOSED:
        raise Refused("case_not_closed", "only a closed case can be reopened", RefusalKind.CONFLICT)
    at = happened(
        "reopened", command.occurred_at, command.now, command.rules,
        [("opening", state.opened_at), ("closure", state.closed_at)],
    )  # fmt: skip
    return [
        CaseReopened(
            case_id=case_id,
            participant_id=participant_id,
            reason=command.reason,
            reopened_by=command.by,
            reopened_at=at,
        )
    ]
