"""File a complaint ("denuncia") with a legal authority from an open case (O.E. 1.3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from contracts.legal_complaints import LegalAuthority, LegalComplaintFiled, ProtectionViolation
from eventkit.decider import RefusalKind, Refused
from eventkit.field_time import PROGRAM_RULES, FieldTimeRules, happened
from services.cases.case import Case, open_only


@dataclass(frozen=True)
class FileComplaint:
    complaint_id: UUID
    violation: ProtectionViolation
    authority: LegalAuthority
    filed_at: datetime
    recorded_by: UUID
    now: datetime
    rules: FieldTimeRules = PROGRAM_RULES


def decide(command: FileComplaint, state: Case) -> list[LegalComplaintFiled]:
    """A complaint is filed from an open case."""
    case_id, participant_id, region = open_only(state, "filing a complaint")
    happened("filed", command.filed_at, command.now, command.rules, [("opening", state.opened_at)])
    if command.complaint_id in state.complaints:
        raise Refused(
            "complaint_exists", "this complaint is already recorded", RefusalKind.CONFLICT
        )
    return [
        LegalComplaintFiled(
            complaint_id=command.complaint_id,
            case_id=case_id,
            participant_id=participant_id,
            violation=command.violation,
            authority=command.authority,
            region=region,
            recorded_by=command.recorded_by,
            filed_at=command.filed_at,
        )
    ]
