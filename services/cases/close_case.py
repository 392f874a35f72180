"""Close an open case with a reason; `other` needs a reason_code saying which."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from contracts.cases import CaseClosed, CaseClosureReason
from eventkit.decider import RefusalKind, Refused
from eventkit.field_time import PROGRAM_RULES, FieldTimeRules, happened
from services.cases.case import Case, Status, existing


@dataclass(frozen=True)
class CloseCase:
    reason: CaseClosureReason
    reason_code: str | None
    by: UUID
    now: datetime
    occurred_at: datetime | None = None  # when it happened in the field; None: now
    rules: FieldTimeRules = PROGRAM_RULES


def decide(command: CloseCase, state: Case) -> list[CaseClosed]:
    """Once: a closed case is not closed again."""
    case_id, participant_id, _ = existing(state)
    if state.status is Status.CLOSED:
        raise Refused("case_already_closed", "the case is already closed", RefusalKind.CONFLICT)
    if command.reason is CaseClosureReason.OTHER and command.reason_code is None:
        raise Refused(
            "reason_code_required",
            "reason_code is required when reason is other",
            RefusalKind.INVALID,
        )
    at = happened(
        "closed", command.occurred_at, command.now, command.rules,
        [("opening", state.opened_at)],
    )  # fmt: skip
    return [
        CaseClosed(
            case_id=case_id,
            participant_id=participant_id,
            reason=command.reason,
            reason_code=command.reason_code,
            closed_by=command.by,
            closed_at=at,
        )
    ]
