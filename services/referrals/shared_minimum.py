"""The shared minimum: which of a participant's data each kind of destination may receive.

A receiving unit gets only what it needs to act on the referral (domain brief, section 6): the
program file lists, per kind of destination, the fields it may receive (in Peru's, a women's
emergency centre calls the survivor back, so it gets a phone and when to call; public health
insurance affiliates, so it gets the identity document; community mental health schedules
through the referring caseworker, so it gets only the age group and sex). The caseworker submits
these values with the request; they are stored only in this service's database, encrypted per
field, and never appear in events or logs.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from contracts.scalars import HAS_A_LETTER
from contracts.vocabulary import ReferralDestination
from eventkit.decider import RefusalKind, Refused
from program.known import KnownAgeGroup, KnownDocumentType, KnownSex
from program.load import current_program


class ContactTime(StrEnum):
    """When the person can safely be called."""

    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"
    ONLY_THROUGH_CASEWORKER = "only_through_caseworker"


Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=2, max_length=120), HAS_A_LETTER
]
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()-]{6,20}$")]
DocumentNumber = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9 .-]{4,20}$")]


class SharedMinimum(BaseModel):
    """Every field a destination might receive; a request fills those its destination needs."""

    model_config = ConfigDict(extra="forbid")

    full_name: Name | None = None
    contact_phone: Phone | None = None
    preferred_contact_time: ContactTime | None = None
    document_type: KnownDocumentType | None = None
    document_number: DocumentNumber | None = None
    age_group: KnownAgeGroup | None = None
    sex: KnownSex | None = None
    pregnant: StrictBool | None = Field(
        None, description="public health insurance affiliates pregnant women first"
    )

    def filled(self) -> dict[str, str]:
        """The submitted fields as text (what gets encrypted and stored)."""
        return {
            name: str(value).lower() if isinstance(value, bool) else str(value)
            for name, value in self.model_dump(exclude_none=True, mode="json").items()
        }


def needs(destination: ReferralDestination) -> frozenset[str]:
    """The fields this kind of destination may receive (and nothing else): the program's
    `referral_destinations[].receives`."""
    return frozenset(current_program().destination(destination).receives)


def refuse_unneeded(destination: ReferralDestination, fields: Iterable[str]) -> None:
    """Refuse (422, naming them) fields this destination does not need."""
    allowed = needs(destination)
    extra = sorted(set(fields) - allowed)
    if extra:
        raise Refused(
            "fields_not_allowed",
            f"{destination} does not receive: {', '.join(extra)} "
            f"(it may receive: {', '.join(sorted(allowed))})",
            RefusalKind.INVALID,
        )
