"""Events of the case aggregate: a case's life cycle and the services delivered within it.

Every event repeats ``participant_id`` so that an indicator can count unique people from any one
event, without first joining to the event that opened the case (events may arrive out of order).
"""

from enum import StrEnum
from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import Field

from contracts.codes import Admin2Code
from contracts.event import Event
from contracts.scalars import Money, ReasonCode, UtcDateTime
from contracts.vocabulary import (
    CaseType,
    IntakeChannel,
    Region,
    RegularizationProfile,
    ServiceType,
    Urgency,
)


class CaseEvent(Event):
    """Marker base of the case aggregate's events (stream key: ``case_id``)."""

    aggregate: ClassVar[str] = "case"
    subject_field: ClassVar[str] = "case_id"


class CaseOpened(CaseEvent):
    """A case was opened for a participant; a GBV case means a protection violation reported.

    Which case types carry a `regularization_profile` is the program's
    (`case_types[].regularization`), checked by the cases service when it opens one: an event is
    never re-judged by a later program file."""

    event_type: ClassVar[str] = "case.opened"

    case_id: UUID
    participant_id: UUID
    case_type: CaseType
    intake_channel: IntakeChannel
    regularization_profile: RegularizationProfile | None = None
    urgency: Urgency = Urgency.ROUTINE
    region: Region
    # Added later (optional, version kept): older cases carry no admin2.
    admin2: Admin2Code | None = None
    caseworker_id: UUID
    opened_at: UtcDateTime


class ReassignmentReason(StrEnum):
    """Why a case changed caseworker or region."""

    WORKLOAD_BALANCING = "workload_balancing"
    CASEWORKER_UNAVAILABLE = "caseworker_unavailable"
    PARTICIPANT_MOVED = "participant_moved"
    SPECIALISED_CARE_NEEDED = "specialised_care_needed"


class CaseReassigned(CaseEvent):
    """A case was handed to another caseworker, possibly in another region."""

    event_type: ClassVar[str] = "case.reassigned"

    case_id: UUID
    participant_id: UUID
    caseworker_id: UUID
    region: Region
    reason: ReassignmentReason
    reassigned_by: UUID
    reassigned_at: UtcDateTime


class CaseClosureReason(StrEnum):
    """Why a case was closed; losing contact is a normal outcome, not an error."""

    NEEDS_MET = "needs_met"
    REGULARIZED = "regularized"
    CONTACT_LOST = "contact_lost"
    PARTICIPANT_DECLINED = "participant_declined"
    MOVED_AWAY = "moved_away"
    TRANSFERRED = "transferred"
    OPENED_IN_ERROR = "opened_in_error"
    OTHER = "other"  # refine with reason_code


class CaseClosed(CaseEvent):
    """A case was closed."""

    event_type: ClassVar[str] = "case.closed"

    case_id: UUID
    participant_id: UUID
    reason: CaseClosureReason
    reason_code: ReasonCode | None = None
    closed_by: UUID
    closed_at: UtcDateTime


class CaseReopeningReason(StrEnum):
    """Why a closed case was reopened."""

    NEW_NEEDS = "new_needs"
    CONTACT_RESTORED = "contact_restored"
    CLOSED_IN_ERROR = "closed_in_error"


class CaseReopened(CaseEvent):
    """A closed case was reopened."""

    event_type: ClassVar[str] = "case.reopened"

    case_id: UUID
    participant_id: UUID
    reason: CaseReopeningReason
    reopened_by: UUID
    reopened_at: UtcDateTime


class ServiceDelivered(CaseEvent):
    """The project delivered a service to a participant within a case (e.g. PAP: O.E. 2.7).

    ``quantity`` counts units of the service (kits, nights of lodging, sessions); ``cost`` is
    set when the project paid an amount (a regularization fee, transport, cash assistance).
    """

    event_type: ClassVar[str] = "service.delivered"

    delivery_id: UUID
    case_id: UUID
    participant_id: UUID
    service_type: ServiceType
    quantity: Annotated[int, Field(ge=1, le=1000)] = 1
    cost: Money | None = None
    region: Region
    # Added later (optional, version 1 kept): older deliveries carry no admin2.
    admin2: Admin2Code | None = None
    delivered_by: UUID
    delivered_at: UtcDateTime
