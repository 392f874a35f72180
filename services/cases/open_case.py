"""Open a case for a registered person who consented to receive services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from contracts.cases import CaseOpened
from contracts.vocabulary import (
    CaseType,
    ConsentPurpose,
    IntakeChannel,
    Region,
    RegularizationProfile,
    Urgency,
)
from eventkit.admin2 import check_admin2
from eventkit.decider import RefusalKind, Refused
from eventkit.field_time import PROGRAM_RULES, FieldTimeRules, happened
from program.load import current_program
from program.model import CaseKind
from services.cases.case import Case, Status
from services.cases.participant import Participant, active, require_consent
from services.cases.program_terms import unknown


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
    opened_at: datetime | None = None  # when it was opened in the field; None: now
    rules: FieldTimeRules = PROGRAM_RULES
    admin2: str | None = None  # the province inside `region` where it was opened, when known


def decide(command: OpenCase, state: Case) -> list[CaseOpened]:
    """A case for a registered person who consented to receive services."""
    if state.status is not Status.NOT_OPENED:
        raise Refused("case_exists", f"case {command.case_id} already exists", RefusalKind.CONFLICT)
    participant_id = active(command.participant)
    require_consent(command.participant, ConsentPurpose.SERVICES)
    opened_at = happened(
        "opened", command.opened_at, command.now, command.rules,
        [("registration", command.participant.registered_at)],
    )  # fmt: skip
    check_admin2(command.admin2, command.region)
    regularization = _case_kind(command.case_type).regularization
    if regularization and command.regularization_profile is None:
        raise Refused(
            "regularization_profile_required",
            f"regularization_profile is required for a {command.case_type} case",
            RefusalKind.INVALID,
        )
    if not regularization and command.regularization_profile is not None:
        raise Refused(
            "regularization_profile_not_allowed",
            f"regularization_profile is only for {' and '.join(regularization_types())} cases",
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
            admin2=command.admin2,
            caseworker_id=command.caseworker_id,
            opened_at=opened_at,
        )
    ]


def _case_kind(code: str) -> CaseKind:
    """The program's case type `code` (its flow); an unknown one is refused, naming it."""
    try:
        return current_program().case_type(code)
    except KeyError:
        raise unknown("case_type", code) from None


def regularization_types() -> list[str]:
    """The running program's case types that take (and need) a regularization profile."""
    return [kind.code for kind in current_program().case_types if kind.regularization]
