"""Events of the referral aggregate: a request to a receiving service and its answers.

``destination_org_id`` names the receiving organisation, so each service can be shown only the
referrals addressed to it. The events that indicators count (requested: O.E. 2.4; completed:
O.E. 1.1) repeat the participant, destination, region and admin2 (the province, when the
request named one), so no join is needed to count them.
An answer a caseworker records for a unit without a system account carries its evidence: the
``channel`` it came through and the ``answerer_role`` at the unit (enums, never names).
"""

from enum import StrEnum
from typing import ClassVar, Self
from uuid import UUID

from pydantic import model_validator

from contracts.codes import Admin2Code
from contracts.event import Event
from contracts.scalars import ReasonCode, UtcDateTime
from contracts.vocabulary import AssistanceType, ReferralDestination, Region, Urgency


class ReferralEvent(Event):
    """Marker base of the referral aggregate's events (stream key: ``referral_id``)."""

    aggregate: ClassVar[str] = "referral"
    subject_field: ClassVar[str] = "referral_id"


class ReferralRequested(ReferralEvent):
    """A caseworker referred a participant to a service, relying on a recorded consent."""

    event_type: ClassVar[str] = "referral.requested"

    referral_id: UUID
    case_id: UUID
    participant_id: UUID
    destination: ReferralDestination
    destination_org_id: UUID
    assistance_type: AssistanceType
    urgency: Urgency = Urgency.ROUTINE
    consent_id: UUID
    region: Region
    # Added later (optional, version kept): older referrals carry no admin2.
    admin2: Admin2Code | None = None
    requested_by: UUID
    requested_at: UtcDateTime
    respond_by: UtcDateTime

    @model_validator(mode="after")
    def _deadline_after_request(self) -> Self:
        if self.respond_by <= self.requested_at:
            raise ValueError("respond_by must be after requested_at")
        return self


class AnswerChannel(StrEnum):
    """How an answer reached the system: the unit itself through the API, or a caseworker
    recording, on behalf of a unit without a system account, an answer received another way."""

    API = "api"
    PHONE = "phone"
    EMAIL = "email"
    IN_PERSON = "in_person"
    OFFICIAL_LETTER = "official_letter"
    MESSAGING = "messaging"


class AnswererRole(StrEnum):
    """Who at the receiving unit gave an answer recorded on its behalf (a role, never a name)."""

    UNIT_HEAD = "unit_head"
    FOCAL_POINT = "focal_point"
    PROFESSIONAL = "professional"
    ADMINISTRATIVE_STAFF = "administrative_staff"


class ReferralAccepted(ReferralEvent):
    """The receiving service accepted the referral."""

    event_type: ClassVar[str] = "referral.accepted"

    referral_id: UUID
    participant_id: UUID
    destination_org_id: UUID
    accepted_by: UUID
    accepted_at: UtcDateTime
    channel: AnswerChannel = AnswerChannel.API
    answerer_role: AnswererRole | None = None


class ReferralRejectionReason(StrEnum):
    """Why a receiving service turned a referral down."""

    OUT_OF_SCOPE = "out_of_scope"
    NO_CAPACITY = "no_capacity"
    ELIGIBILITY_NOT_MET = "eligibility_not_met"
    INSUFFICIENT_INFORMATION = "insufficient_information"
    DUPLICATE = "duplicate"


class ReferralRejected(ReferralEvent):
    """The receiving service rejected the referral."""

    event_type: ClassVar[str] = "referral.rejected"

    referral_id: UUID
    participant_id: UUID
    destination_org_id: UUID
    reason: ReferralRejectionReason
    reason_code: ReasonCode | None = None
    rejected_by: UUID
    rejected_at: UtcDateTime
    channel: AnswerChannel = AnswerChannel.API
    answerer_role: AnswererRole | None = None


class ReferralOutcome(StrEnum):
    """What the receiving unit did for the person, reported when it completes a referral."""

    SIS_AFFILIATION_DONE = "sis_affiliation_done"
    ATTENDED = "attended"
    CARE_STARTED = "care_started"
    COMPLAINT_REGISTERED = "complaint_registered"
    PROTECTION_MEASURE_GRANTED = "protection_measure_granted"
    LEGAL_ASSISTANCE_PROVIDED = "legal_assistance_provided"
    REGULARIZATION_PROCEDURE_STARTED = "regularization_procedure_started"
    MATERIAL_HELP_DELIVERED = "material_help_delivered"


class ReferralCompleted(ReferralEvent):
    """The receiving service reports the person received the assistance (O.E. 1.1)."""

    event_type: ClassVar[str] = "referral.completed"

    referral_id: UUID
    case_id: UUID
    participant_id: UUID
    destination: ReferralDestination
    destination_org_id: UUID
    assistance_type: AssistanceType
    region: Region
    # The request's admin2, repeated (optional, version kept): older completions carry none.
    admin2: Admin2Code | None = None
    completed_by: UUID
    completed_at: UtcDateTime
    outcome: ReferralOutcome | None = None
    channel: AnswerChannel = AnswerChannel.API
    answerer_role: AnswererRole | None = None


class ReferralCancellationReason(StrEnum):
    """Why the referring side withdrew a referral."""

    PARTICIPANT_DECLINED = "participant_declined"
    NEED_MET_OTHERWISE = "need_met_otherwise"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    CONTACT_LOST = "contact_lost"
    REQUESTED_IN_ERROR = "requested_in_error"


class ReferralCancelled(ReferralEvent):
    """The referring caseworker cancelled the referral."""

    event_type: ClassVar[str] = "referral.cancelled"

    referral_id: UUID
    participant_id: UUID
    reason: ReferralCancellationReason
    reason_code: ReasonCode | None = None
    cancelled_by: UUID
    cancelled_at: UtcDateTime


class ReferralOverdue(ReferralEvent):
    """Nobody answered the referral by its deadline; raised by the deadline process."""

    event_type: ClassVar[str] = "referral.overdue"

    referral_id: UUID
    participant_id: UUID
    destination_org_id: UUID
    respond_by: UtcDateTime
    detected_at: UtcDateTime

    @model_validator(mode="after")
    def _detected_after_deadline(self) -> Self:
        if self.detected_at < self.respond_by:
            raise ValueError("a referral cannot be overdue before respond_by")
        return self
