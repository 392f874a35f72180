"""Events of informed consent, recorded on the participant's stream before any data is shared.

Referral sharing needs its own purpose: a referral may only be requested while the person's
``referral_sharing`` consent stands, and the referral event names the consent it relies on.
"""

from enum import StrEnum
from typing import ClassVar, Self
from uuid import UUID

from pydantic import model_validator

from contracts.codes import DestinationSet
from contracts.participants import ParticipantEvent
from contracts.scalars import NonEmptyEnumSet, UtcDateTime
from contracts.vocabulary import ConsentPurpose

Purposes = NonEmptyEnumSet[ConsentPurpose]


class ConsentGiver(StrEnum):
    """Who gave consent: the person, or a guardian for a child or adolescent."""

    PARTICIPANT = "participant"
    GUARDIAN = "guardian"


class ConsentGiven(ParticipantEvent):
    """A participant (or guardian) gave informed consent for the listed purposes."""

    event_type: ClassVar[str] = "consent.given"

    participant_id: UUID
    consent_id: UUID
    purposes: Purposes
    # Added (optional, same version): the referral destinations the person agreed to share
    # with. Only with the referral_sharing purpose; empty means no destination was named, which
    # consumers read as before: the consent covers every destination.
    destinations: DestinationSet = ()
    given_by: ConsentGiver
    recorded_by: UUID
    given_at: UtcDateTime

    @model_validator(mode="after")
    def _destinations_only_for_sharing(self) -> Self:
        if self.destinations and ConsentPurpose.REFERRAL_SHARING not in self.purposes:
            raise ValueError("destinations are only for the referral_sharing purpose")
        return self


class ConsentWithdrawalReason(StrEnum):
    """Why consent was withdrawn; the default is that the person simply chose to."""

    PARTICIPANT_REQUEST = "participant_request"
    GUARDIAN_REQUEST = "guardian_request"
    RECORDED_IN_ERROR = "recorded_in_error"


class ConsentWithdrawn(ParticipantEvent):
    """A participant withdrew consent for the listed purposes; sharing for them stops."""

    event_type: ClassVar[str] = "consent.withdrawn"

    participant_id: UUID
    consent_id: UUID
    purposes: Purposes
    reason: ConsentWithdrawalReason = ConsentWithdrawalReason.PARTICIPANT_REQUEST
    recorded_by: UUID
    withdrawn_at: UtcDateTime
