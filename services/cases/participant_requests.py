"""Request bodies about people: registration, correction, merge, search, consent, erasure.

Validated at the edge (422 naming the field); each carries an OpenAPI example.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from contracts.consent import ConsentGiver, ConsentWithdrawalReason
from contracts.participants import CorrectionReason, MergeReason
from contracts.people import VulnerabilityProfile
from contracts.scalars import CountryCode, PersonName, PlausibleDateTime
from contracts.vocabulary import ConsentPurpose
from eventkit.field_time import OCCURRED_AT
from program.known import (
    KnownAttributes,
    KnownDestination,
    KnownDocumentType,
    KnownPopulationType,
    KnownSex,
    KnownTerritory,
    example,
)
from program.model import NO_DOCUMENT

Name = PersonName
Age = Annotated[int, Field(ge=0, le=120, strict=True)]  # strict: `true` is no age
DocumentNumber = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9 .\-/]{2,29}$")]
Phone = Annotated[str, Field(pattern=r"^\+?[0-9][0-9 ().\-]{5,24}$")]
Vulnerabilities = Annotated[list[VulnerabilityProfile], Field(max_length=15)]
ATTRIBUTES = (
    "The program's coarse attributes (ethnicity, disability...) as codes; a correction gives"
    " only those that change."
)
Purposes = Annotated[list[ConsentPurpose], Field(min_length=1, max_length=3)]


def _example(**data: Any) -> ConfigDict:
    return ConfigDict(extra="forbid", json_schema_extra={"examples": [data]})


def born_on(
    birth_date: date | None, estimated_age_years: int | None, today: date
) -> tuple[date, bool]:
    """The birth date to record and whether it is an estimate (from an age in years, as of the
    command's `today`, the service's clock)."""
    if birth_date is not None:
        return birth_date, False
    assert estimated_age_years is not None
    return date(today.year - estimated_age_years, today.month, 1), True


class RegisterRequest(BaseModel):
    model_config = _example(
        given_names="María José", family_names="Pérez Rojas",
        document_type=example("document_type", 2), document_number="V-12.345.678",
        phone="+51 987 654 321", sex="woman",
        birth_date="1994-03-12", nationality="VEN", region=example("territory"),
        vulnerabilities=["irregular_migratory_status"],
    )  # fmt: skip

    given_names: Name
    family_names: Name
    document_type: KnownDocumentType = NO_DOCUMENT
    document_number: DocumentNumber | None = None
    phone: Phone | None = None
    sex: KnownSex
    birth_date: date | None = None
    estimated_age_years: Age | None = None
    nationality: CountryCode
    region: KnownTerritory
    population_type: KnownPopulationType | None = None
    attributes: KnownAttributes = Field(default_factory=dict, description=ATTRIBUTES)
    vulnerabilities: Vulnerabilities = []
    occurred_at: PlausibleDateTime | None = Field(None, description=OCCURRED_AT)

    @model_validator(mode="after")
    def _one_age(self) -> Self:
        if (self.birth_date is None) == (self.estimated_age_years is None):
            raise ValueError("give exactly one of birth_date and estimated_age_years")
        return self


class CorrectRequest(BaseModel):
    model_config = _example(reason="document_verified", birth_date="1994-04-02", phone="987111222")

    reason: CorrectionReason
    given_names: Name | None = None
    family_names: Name | None = None
    document_type: KnownDocumentType | None = None
    document_number: DocumentNumber | None = None
    phone: Phone | None = None
    sex: KnownSex | None = None
    birth_date: date | None = None
    estimated_age_years: Age | None = None
    nationality: CountryCode | None = None
    region: KnownTerritory | None = None
    population_type: KnownPopulationType | None = None
    attributes: KnownAttributes = Field(default_factory=dict, description=ATTRIBUTES)
    vulnerabilities: Vulnerabilities | None = None

    @model_validator(mode="after")
    def _something(self) -> Self:
        if not self.model_fields_set - {"reason"}:
            raise ValueError("a correction names at least one field besides reason")
        if self.birth_date is not None and self.estimated_age_years is not None:
            raise ValueError("give at most one of birth_date and estimated_age_years")
        return self


class MergeRequest(BaseModel):
    model_config = _example(
        into_participant_id="9b2e6f0c-8d1a-4f3e-b7c2-5a6d4e3f2a1b", reason="document_match"
    )

    into_participant_id: UUID = Field(description="The surviving record")
    reason: MergeReason
    occurred_at: PlausibleDateTime | None = Field(None, description=OCCURRED_AT)


class SearchRequest(BaseModel):
    """POST, not GET: numbers must not appear in URLs, proxies or access logs."""

    model_config = _example(document_number="V12345678")

    document_number: DocumentNumber | None = None
    phone: Phone | None = None

    @model_validator(mode="after")
    def _one_number(self) -> Self:
        if (self.document_number is None) == (self.phone is None):
            raise ValueError("give exactly one of document_number and phone")
        return self


class ConsentRequest(BaseModel):
    model_config = _example(
        purposes=["services", "referral_sharing"],
        destinations=[example("destination")],
        given_by="participant",
    )

    purposes: Purposes
    destinations: Annotated[list[KnownDestination], Field(max_length=12)] = []
    given_by: ConsentGiver = ConsentGiver.PARTICIPANT
    occurred_at: PlausibleDateTime | None = Field(None, description=OCCURRED_AT)


class WithdrawRequest(BaseModel):
    model_config = _example(purposes=["referral_sharing"], reason="participant_request")

    purposes: Purposes | None = Field(None, description="None: every purpose of the consent")
    reason: ConsentWithdrawalReason = ConsentWithdrawalReason.PARTICIPANT_REQUEST
    occurred_at: PlausibleDateTime | None = Field(None, description=OCCURRED_AT)


class ErasureBasis(StrEnum):
    """Who asked for the erasure (kept in the audit log as its purpose)."""

    PARTICIPANT_REQUEST = "participant_request"
    GUARDIAN_REQUEST = "guardian_request"
    RETENTION_EXPIRED = "retention_expired"


class ErasureRequest(BaseModel):
    model_config = _example(basis="participant_request")

    basis: ErasureBasis
