"""Events of the participant aggregate: registration, correction, merge and erasure of a record.

A participant is known to the rest of the system only by a pseudonymous UUID and coarse
attributes. Names, documents, phones and addresses stay in the cases service's own database, and
so do vulnerability profiles (GBV survivor, living with HIV, ...): special-category data that no
logframe indicator disaggregates by, so by the minimum-necessary rule it is not published.
"""

from enum import StrEnum
from typing import ClassVar, Self
from uuid import UUID

from pydantic import Field, model_validator

from contracts.codes import PersonAttributes, PopulationTypeCode
from contracts.event import Event
from contracts.people import Sex
from contracts.scalars import CountryCode, ReasonCode, UtcDateTime, YearMonth
from contracts.vocabulary import Region


class ParticipantEvent(Event):
    """Marker base of the participant aggregate's events (stream key: ``participant_id``)."""

    aggregate: ClassVar[str] = "participant"
    subject_field: ClassVar[str] = "participant_id"


class ParticipantRegistered(ParticipantEvent):
    """A person was registered as a participant, with the attributes reports group by.

    `population_type` and `attributes` are the program's (`program/`): codes only, so a
    sensitive attribute such as ethnicity travels as a coarse code, never as free text.
    """

    event_type: ClassVar[str] = "participant.registered"

    participant_id: UUID
    sex: Sex
    birth_year_month: YearMonth
    birth_date_estimated: bool = False
    nationality: CountryCode
    region: Region
    population_type: PopulationTypeCode | None = None
    attributes: PersonAttributes = Field(default_factory=dict)
    registered_by: UUID = Field(description="Pseudonymous id of the staff member.")
    registered_at: UtcDateTime


class CorrectionReason(StrEnum):
    """Why registration attributes were corrected."""

    DATA_ENTRY_ERROR = "data_entry_error"
    DOCUMENT_VERIFIED = "document_verified"
    SELF_IDENTIFICATION_UPDATED = "self_identification_updated"
    CIRCUMSTANCES_CHANGED = "circumstances_changed"


class ParticipantCorrected(ParticipantEvent):
    """Registration attributes were corrected; only the fields given change (null: unchanged).

    Projections re-derive every disaggregation of this person from the corrected values,
    including for acts recorded before the correction.
    """

    event_type: ClassVar[str] = "participant.corrected"

    participant_id: UUID
    reason: CorrectionReason
    sex: Sex | None = None
    birth_year_month: YearMonth | None = None
    birth_date_estimated: bool | None = None
    nationality: CountryCode | None = None
    region: Region | None = None
    population_type: PopulationTypeCode | None = None
    attributes: PersonAttributes = Field(
        default_factory=dict, description="The attributes that change (the others do not)."
    )
    corrected_by: UUID
    corrected_at: UtcDateTime

    @model_validator(mode="after")
    def _corrects_something(self) -> Self:
        corrected = (
            self.sex,
            self.birth_year_month,
            self.birth_date_estimated,
            self.nationality,
            self.region,
            self.population_type,
        )
        if all(value is None for value in corrected) and not self.attributes:
            raise ValueError("a correction must change at least one attribute")
        return self


class MergeReason(StrEnum):
    """Why two participant records were found to be the same person."""

    DUPLICATE_REGISTRATION = "duplicate_registration"
    DOCUMENT_MATCH = "document_match"


class ParticipantMerged(ParticipantEvent):
    """A duplicate participant record was merged into a surviving one.

    It is the last event of the merged record's stream (its subject is the merged id): later
    commands on that id are redirected, and projections count the two ids as one person,
    whatever order this and the other events arrive in.
    """

    event_type: ClassVar[str] = "participant.merged"
    subject_field: ClassVar[str] = "merged_participant_id"

    merged_participant_id: UUID
    surviving_participant_id: UUID
    reason: MergeReason
    reason_code: ReasonCode | None = None
    merged_by: UUID
    merged_at: UtcDateTime

    @model_validator(mode="after")
    def _two_distinct_records(self) -> Self:
        if self.merged_participant_id == self.surviving_participant_id:
            raise ValueError("a participant cannot be merged into itself")
        return self


class ParticipantErased(ParticipantEvent):
    """The person's personal data was erased (crypto-shredded) in the cases service.

    It carries no personal data, and not even the basis of the request (that stays in the cases
    service's audit log). Every service holding a copy of the person's data makes it unreadable
    when it reads this event, and refuses new commands about the person. The pseudonymous record
    and its events stay: the figures the person counted in do not change.
    """

    event_type: ClassVar[str] = "participant.erased"

    participant_id: UUID
    erased_by: UUID = Field(description="Pseudonymous id of the staff member.")
    erased_at: UtcDateTime
