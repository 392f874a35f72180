"""The request and response bodies of the referrals API (validated; an example for each)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints, model_validator

from contracts.referrals import (
    AnswerChannel,
    AnswererRole,
    ReferralCancellationReason,
    ReferralOutcome,
    ReferralRejectionReason,
)
from contracts.scalars import PlausibleDateTime
from contracts.vocabulary import AssistanceType, Urgency
from eventkit.field_time import OCCURRED_AT
from program.known import KnownAdmin2, KnownDestination, KnownTerritory, example
from services.referrals.request_referral import ReferralReason
from services.referrals.shared_minimum import Phone, SharedMinimum

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=120)]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]{1,64}@[^@\s]{1,120}\.[a-z]{2,}$")]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _example(example: dict[str, Any]) -> ConfigDict:
    return ConfigDict(extra="forbid", json_schema_extra={"examples": [example]})


class HandoverContact(_Body):
    """Where the referring team hands a person over: the unit's office, not a private person."""

    office: Text
    phone: Phone | None = None
    email: Email | None = None


_CONTACT = {"office": "Admisión", "phone": "072 523 000", "email": "unit@example.org"}


class UnitRequest(_Body):
    model_config = _example(
        {
            "name": "Unidad de admisión",
            "destination": example("destination"),
            "region": example("territory", 3),
            "handover_contact": _CONTACT,
            "has_system_account": True,
        }
    )

    name: Text
    destination: KnownDestination
    region: KnownTerritory
    handover_contact: HandoverContact
    has_system_account: StrictBool
    active: StrictBool = True


class UnitChange(_Body):
    model_config = _example({"has_system_account": False, "active": True})

    name: Text | None = Field(None, description="A new name (unique in the unit's region).")
    handover_contact: HandoverContact | None = None
    has_system_account: StrictBool | None = None
    active: StrictBool | None = None


class ReferralRequest(_Body):
    model_config = _example(
        {
            "case_id": "3f1c2a7e-2d4b-4c55-9a53-0b7a1d1e9f10",
            "participant_id": "9b2e6f0c-8d1a-4f3e-b7c2-5a6d4e3f2a1b",
            "unit_id": "0d7d0b60-447c-50cf-9d09-dd161afb7cbd",
            "region": example("territory", 3),
            "assistance_type": "psychosocial",
            "reason": "gbv_care",
            "urgency": "urgent",
            "shared": {
                "full_name": "Nombre Apellido",
                "contact_phone": "+51 987 654 321",
                "preferred_contact_time": "morning",
            },
        }
    )

    case_id: UUID
    participant_id: UUID
    unit_id: UUID = Field(description="The receiving unit, from GET /units")
    region: KnownTerritory = Field(
        description="The region of the referring team (the act's region)"
    )
    admin2: KnownAdmin2 | None = Field(
        None, description="The province (admin2) inside `region` where it is made, when known."
    )
    assistance_type: AssistanceType
    reason: ReferralReason
    urgency: Urgency = Urgency.ROUTINE
    shared: SharedMinimum = Field(
        default_factory=SharedMinimum,
        description="Only the fields the destination needs (see the README's table)",
    )
    occurred_at: PlausibleDateTime | None = Field(None, description=OCCURRED_AT)


class RejectRequest(_Body):
    model_config = _example({"reason": "no_capacity"})

    reason: ReferralRejectionReason
    occurred_at: PlausibleDateTime | None = Field(None, description=OCCURRED_AT)


class CompleteRequest(_Body):
    model_config = _example({"outcome": "sis_affiliation_done"})

    outcome: ReferralOutcome
    occurred_at: PlausibleDateTime | None = Field(None, description=OCCURRED_AT)


class CancelRequest(_Body):
    model_config = _example({"reason": "need_met_otherwise"})

    reason: ReferralCancellationReason
    occurred_at: PlausibleDateTime | None = Field(None, description=OCCURRED_AT)


class Evidence(_Body):
    """Who at the unit answered, when and how (recorded by a caseworker on its behalf)."""

    answerer_role: AnswererRole
    channel: AnswerChannel
    answered_at: PlausibleDateTime


_EVIDENCE = {
    "answerer_role": "focal_point",
    "channel": "phone",
    "answered_at": "2022-06-03T15:30:00Z",
}


class RecordedAccept(_Body):
    model_config = _example({"evidence": _EVIDENCE})

    evidence: Evidence


class AcceptRequest(_Body):
    """Optional: a unit accepting now needs no body."""

    model_config = _example({"occurred_at": "2022-06-01T15:30:00Z"})

    occurred_at: PlausibleDateTime | None = Field(None, description=OCCURRED_AT)


class _OnBehalf(BaseModel):
    """An answer recorded on a unit's behalf: its moment is `evidence.answered_at`, only."""

    occurred_at: datetime | None = None

    @model_validator(mode="after")
    def _one_moment(self) -> Any:
        if self.occurred_at is not None:
            raise ValueError("an answer on a unit's behalf is dated by evidence.answered_at")
        return self


class RecordedReject(_OnBehalf, RejectRequest):
    model_config = _example({"reason": "out_of_scope", "evidence": _EVIDENCE})

    evidence: Evidence


class RecordedComplete(_OnBehalf, CompleteRequest):
    model_config = _example({"outcome": "attended", "evidence": _EVIDENCE})

    evidence: Evidence


class UnitReferralView(BaseModel):
    """All a receiving unit reads of a referral: what it needs to act, nothing more.

    `shared` holds only the fields its destination type receives; it is null when the data was
    withheld (the participant withdrew consent for referral sharing).
    """

    referral_id: UUID
    unit_id: UUID
    destination: KnownDestination
    region: KnownTerritory
    assistance_type: AssistanceType
    reason: ReferralReason
    urgency: Urgency
    status: str
    requested_at: datetime
    respond_by: datetime
    shared: dict[str, str] | None
