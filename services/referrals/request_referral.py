"""Request a referral: a caseworker refers a participant to a receiving unit, under consent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from contracts.referrals import ReferralRequested
from contracts.vocabulary import AssistanceType, ReferralDestination, Region, Urgency
from eventkit.admin2 import check_admin2
from eventkit.decider import RefusalKind, Refused
from eventkit.field_time import PROGRAM_RULES, FieldTimeRules, across_clocks, happened
from services.referrals.referral import Referral, Status
from services.referrals.shared_minimum import refuse_unneeded


class ReferralReason(StrEnum):
    """Why the person is referred (kept in this service only: it can reveal a GBV case)."""

    GBV_CARE = "gbv_care"
    HEALTH_INSURANCE_AFFILIATION = "health_insurance_affiliation"
    GENERAL_HEALTH_CARE = "general_health_care"
    MENTAL_HEALTH_CARE = "mental_health_care"
    LEGAL_ASSISTANCE = "legal_assistance"
    CHILD_PROTECTION = "child_protection"
    CRIMINAL_COMPLAINT = "criminal_complaint"
    VICTIM_PROTECTION = "victim_protection"
    TRAFFICKING = "trafficking"
    HUMAN_RIGHTS_COMPLAINT = "human_rights_complaint"
    REGULARIZATION = "regularization"
    MATERIAL_HELP = "material_help"


@dataclass(frozen=True)
class RequestReferral:
    """What the caseworker asks for, with what the service looked up for it.

    `consent_id` is the participant's standing consent that allows sharing with `destination`
    (None when there is none); `shared_fields` names the fields submitted, never their values.
    """

    referral_id: UUID
    case_id: UUID
    participant_id: UUID
    unit_id: UUID
    destination: ReferralDestination
    assistance_type: AssistanceType
    urgency: Urgency
    region: Region
    consent_id: UUID | None
    shared_fields: frozenset[str]
    requested_by: UUID
    now: datetime
    respond_by: datetime
    occurred_at: datetime | None = None  # when it was requested in the field; None: now
    rules: FieldTimeRules = PROGRAM_RULES
    opened_at: datetime | None = None  # the case's opening (None: not known to the copy)
    consented_at: datetime | None = None  # when the consent it is made under was given
    admin2: str | None = None  # the province inside `region` where it was requested, when known


def decide(command: RequestReferral, state: Referral) -> list[ReferralRequested]:
    """No sharing without consent, and only the fields the destination needs."""
    if state.status is not Status.NOT_REQUESTED:
        raise Refused(
            "already_requested",
            f"referral {command.referral_id} already exists",
            RefusalKind.CONFLICT,
        )
    if command.consent_id is None:
        raise Refused(
            "consent_missing",
            f"the participant has no standing referral_sharing consent that allows sharing "
            f"with {command.destination}; record it in the cases service first",
            RefusalKind.CONFLICT,
        )
    refuse_unneeded(command.destination, command.shared_fields)
    check_admin2(command.admin2, command.region)
    copies = [("opening", command.opened_at), ("consent", command.consented_at)]
    at = command.occurred_at or command.now  # the copies' moments are the cases service's clock
    requested_at = happened(
        "requested", command.occurred_at, command.now, command.rules,
        across_clocks(at, copies, command.rules),
    )  # fmt: skip
    return [
        ReferralRequested(
            referral_id=command.referral_id,
            case_id=command.case_id,
            participant_id=command.participant_id,
            destination=command.destination,
            destination_org_id=command.unit_id,
            assistance_type=command.assistance_type,
            urgency=command.urgency,
            consent_id=command.consent_id,
            region=command.region,
            admin2=command.admin2,
            requested_by=command.requested_by,
            requested_at=requested_at,
            respond_by=command.respond_by,
        )
    ]
