"""Reopen a closed case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from contracts.cases import CaseReopened, CaseReopeningReason
from eventkit.decider import RefusalKind, Refused
from services.cases.case import Case, Status, existing


@dataclass(frozen=True)
class ReopenCase:
    reason: CaseReopeningReason
    by: UUID
    now: datetime


def decide(command: ReopenCase, state: Case) -> list[CaseReopened]:
    """Only a closed case can be reopened."""
    case_id, participant_id, _ = existing(state)
    if state.status is not Status.CLOSED:
        raise Refused("case_not_closed", "only a closed case can be reopened", RefusalKind.CONFLICT)
    return [
        CaseReopened(
            case_id=case_id,
            participant_id=participant_id,
            reason=command.reason,
            reopened_by=command.by,
            reopened_at=command.now,
        )
    ]
