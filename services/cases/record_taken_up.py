"""The legal authority took a complaint up (O.E. 1.3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from contracts.legal_complaints import LegalAuthority, LegalComplaintTakenUp
from eventkit.decider import RefusalKind, Refused
from eventkit.field_time import PROGRAM_RULES, FieldTimeRules, happened
from services.cases.case import Case, existing


@dataclass(frozen=True)
class RecordTakenUp:
    complaint_id: UUID
    authority: LegalAuthority
    taken_up_at: datetime
    recorded_by: UUID
    now: datetime
    rules: FieldTimeRules = PROGRAM_RULES


def decide(command: RecordTakenUp, state: Case) -> list[LegalComplaintTakenUp]:
    """Courts are slow: a complaint may be taken up after its case closed; once only."""
    case_id, participant_id, region = existing(state)
    if command.complaint_id not in state.complaints:
        raise Refused(
            "complaint_not_found", "no such complaint in this case", RefusalKind.NOT_FOUND
        )
    if state.complaints[command.complaint_id]:
        raise Refused(
            "complaint_already_taken_up",
            "this complaint was already taken up",
            RefusalKind.CONFLICT,
        )
    happened(
        "taken_up", command.taken_up_at, command.now, command.rules,
        [("opening", state.opened_at)],
    )  # fmt: skip
    return [
        LegalComplaintTakenUp(
            complaint_id=command.complaint_id,
            case_id=case_id,
            participant_id=participant_id,
            authority=command.authority,
            region=region,
            recorded_by=command.recorded_by,
            taken_up_at=command.taken_up_at,
        )
    ]
