"""Open, reassign, close and reopen a case (pure rules)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from contracts.cases import (
    CaseClosed,
    CaseClosureReason,
    CaseOpened,
    CaseReassigned,
    CaseReopened,
    CaseReopeningReason,
    ReassignmentReason,
)
from contracts.vocabulary import (
    CaseType,
    ConsentPurpose,
    IntakeChannel,
    Region,
    RegularizationProfile,
    Urgency,
)
from eventkit.decider import RefusalKind, Refused
from services.cases.case import Case, Status, existing, open_only
from services.cases.participant import Participant, active, require_consent


@dataclass(frozen=True)
class OpenCase:
    case_id: UUID
    participant: Participant  # folded by the service layer from the participant's stream
    case_type: CaseType
    intake_channel: IntakeChannel
    regularization_profile: RegularizationProfile | None
    urgency: Urgency
    region: Region
    caseworker_id: UUID
    now: datetime
    opened_at: datetime | None = None  # recorded after the fact; None: now


def open_case(command: OpenCase, state: Case) -> list[CaseOpened]:
    """A case for a registered person who consented to receive services."""
    if state.status is not Status.NOT_OPENED:
        raise Refused("case_exists", f"case {command.case_id} already exists", RefusalKind.CONFLICT)
    participant_id = active(command.participant)
    require_consent(command.participant, ConsentPurpose.SERVICES)
    opened_at = command.opened_at or command.now
    if opened_at > command.now:
        raise Refused("opened_in_future", "opened_at is in the future", RefusalKind.INVALID)
    regularization = command.case_type is CaseType.MIGRATORY_REGULARIZATION
    if regularization and command.regularization_profile is None:
        raise Refused(
            "regularization_profile_required",
            "regularization_profile is required for a migratory_regularization case",
            RefusalKind.INVALID,
        )
    if not regularization and command.regularization_profile is not None:
        raise Refused(
            "regularization_profile_not_allowed",
            "regularization_profile is only for migratory_regularization cases",
            RefusalKind.INVALID,
        )
    return [
        CaseOpened(
            case_id=command.case_id,
            participant_id=participant_id,
            case_type=command.case_type,
            intake_channel=command.intake_channel,
            regularization_profile=command.regularization_profile,
            urgency=command.urgency,
            region=command.region,
            caseworker_id=command.caseworker_id,
            opened_at=opened_at,
        )
    ]


def reassign(
    state: Case,
    caseworker_id: UUID,
    region: Region,
    reason: ReassignmentReason,
    by: UUID,
    now: datetime,
) -> list[CaseReassigned]:
    """Hand an open case to another caseworker (and region); a no-op hand-over is refused."""
    case_id, participant_id, _ = open_only(state, "reassigning it")
    if caseworker_id == state.caseworker_id and region is state.region:
        raise Refused(
            "already_assigned",
            "the case is already with this caseworker and region",
            RefusalKind.CONFLICT,
        )
    return [
        CaseReassigned(
            case_id=case_id,
            participant_id=participant_id,
            caseworker_id=caseworker_id,
            region=region,
            reason=reason,
            reassigned_by=by,
            reassigned_at=now,
        )
    ]


def close(
    state: Case, reason: CaseClosureReason, reason_code: str | None, by: UUID, now: datetime
) -> list[CaseClosed]:
    """Close an open case with a reason; `other` needs a reason_code saying which."""
    case_id, participant_id, _ = existing(state)
    if state.status is Status.CLOSED:
        raise Refused("case_already_closed", "the case is already closed", RefusalKind.CONFLICT)
    if reason is CaseClosureReason.OTHER and reason_code is None:
        raise Refused(
            "reason_code_required",
            "reason_code is required when reason is other",
            RefusalKind.INVALID,
        )
    return [
        CaseClosed(
            case_id=case_id,
            participant_id=participant_id,
            reason=reason,
            reason_code=reason_code,
            closed_by=by,
            closed_at=now,
        )
    ]


def reopen(state: Case, reason: CaseReopeningReason, by: UUID, now: datetime) -> list[CaseReopened]:
    """Reopen a closed case."""
    case_id, participant_id, _ = existing(state)
    if state.status is not Status.CLOSED:
        raise Refused("case_not_closed", "only a closed case can be reopened", RefusalKind.CONFLICT)
    return [
        CaseReopened(
            case_id=case_id,
            participant_id=participant_id,
            reason=reason,
            reopened_by=by,
            reopened_at=now,
        )
    ]
