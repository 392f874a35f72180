"""Request bodies about cases, services, complaints, outreach and livelihoods (an example each)."""

from __future__ import annotations

from typing import Annotated, Any, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from contracts.cases import CaseClosureReason, CaseReopeningReason, ReassignmentReason
from contracts.legal_complaints import LegalAuthority, ProtectionViolation
from contracts.scalars import NOT_BLANK, Money, PlausibleDateTime, ReasonCode
from contracts.vocabulary import (
    IntakeChannel,
    Urgency,
)
from eventkit.field_time import OCCURRED_AT, act_moment
from program.known import (
    KnownAdmin2,
    KnownCaseType,
    KnownCurrency,
    KnownRegularizationProfile,
    KnownService,
    KnownTerritory,
    example,
    program_currency,
)
from program.load import current_program
from services.cases.open_case import regularization_types

MAX_BULK = 10_000
_ID = "9b2e6f0c-8d1a-4f3e-b7c2-5a6d4e3f2a1b"


def _example(**data: Any) -> ConfigDict:
    return ConfigDict(extra="forbid", json_schema_extra={"examples": [data]})


def _case_example() -> dict[str, Any]:
    """A case of the running program: of a type that takes a regularization profile, if any."""
    kinds = current_program().case_types
    kind = next((k for k in kinds if k.regularization), kinds[0] if kinds else None)
    if kind is None:
        return {}
    profile = example("regularization_profile") if kind.regularization else None
    return {"case_type": kind.code, "regularization_profile": profile}


class OpenCaseRequest(BaseModel):
    model_config = _example(
        participant_id=_ID, intake_channel="admission_form", region=example("territory"),
        **_case_example(),
    )  # fmt: skip

    participant_id: UUID
    case_type: KnownCaseType
    intake_channel: IntakeChannel
    regularization_profile: KnownRegularizationProfile | None = None
    urgency: Urgency = Urgency.ROUTINE
    region: KnownTerritory
    admin2: KnownAdmin2 | None = Field(
        None, description="The province (admin2) inside `region` where it is opened, when known."
    )
    caseworker_id: UUID | None = Field(None, description="None: the caller")
    opened_at: PlausibleDateTime | None = act_moment("opened_at")

    @model_validator(mode="after")
    def _profile(self) -> Self:
        regularization = current_program().case_type(self.case_type).regularization
        if regularization != (self.regularization_profile is not None):
            raise ValueError(
                "regularization_profile is required for, and only for, "
                + ", ".join(regularization_types())
            )
        return self


class ReassignRequest(BaseModel):
    model_config = _example(
        caseworker_id=_ID, region=example("territory", 2), reason="participant_moved"
    )

    caseworker_id: UUID
    region: KnownTerritory
    reason: ReassignmentReason
    occurred_at: PlausibleDateTime | None = Field(None, description=OCCURRED_AT)


class CloseRequest(BaseModel):
    model_config = _example(reason="contact_lost")

    reason: CaseClosureReason
    reason_code: ReasonCode | None = None
    occurred_at: PlausibleDateTime | None = Field(None, description=OCCURRED_AT)


class ReopenRequest(BaseModel):
    model_config = _example(reason="contact_restored")

    reason: CaseReopeningReason
    occurred_at: PlausibleDateTime | None = Field(None, description=OCCURRED_AT)


class NoteRequest(BaseModel):
    model_config = _example(text="Follow-up call: appointment at the unit confirmed for Monday.")

    text: Annotated[str, NOT_BLANK] = Field(
        min_length=1, max_length=5000, description="Kept encrypted, never published"
    )


class DeliverRequest(BaseModel):
    model_config = _example(
        service_type=example("service"), quantity=3, cost="180.00", currency=program_currency(),
        delivered_at="2022-06-01T15:30:00Z",
    )  # fmt: skip

    service_type: KnownService
    quantity: Annotated[int, Field(ge=1, le=1000, strict=True)] = Field(
        1, description="Nights for lodging"
    )
    cost: Money | None = None
    currency: KnownCurrency = Field(default_factory=program_currency)
    delivered_at: PlausibleDateTime | None = act_moment("delivered_at")
    admin2: KnownAdmin2 | None = Field(
        None, description="The province (admin2) inside the case's region, when known."
    )


class ComplaintRequest(BaseModel):
    model_config = _example(violation="gender_based_violence", authority="police")

    violation: ProtectionViolation
    authority: LegalAuthority
    filed_at: PlausibleDateTime | None = act_moment("filed_at")


class TakenUpRequest(BaseModel):
    model_config = _example(authority="prosecutor", taken_up_at="2022-07-01T15:30:00Z")

    authority: LegalAuthority
    taken_up_at: PlausibleDateTime | None = act_moment("taken_up_at")
