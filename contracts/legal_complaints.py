"""Events of a complaint ("denuncia") before the legal system, recorded on the case's stream.

O.E. 1.3 counts cases (not people) whose complaint was taken up by a local legal system, hence
``case_id`` is the subject and ``complaint_id`` tells several complaints of one case apart.
"""

from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from contracts.cases import CaseEvent
from contracts.scalars import UtcDateTime
from contracts.vocabulary import Region


class LegalAuthority(StrEnum):
    """Where a complaint was filed or taken up."""

    POLICE = "police"
    PROSECUTOR = "prosecutor"
    FAMILY_COURT = "family_court"
    CRIMINAL_COURT = "criminal_court"
    SPECIALISED_PROSECUTOR = "specialised_prosecutor"


class ProtectionViolation(StrEnum):
    """The kind of protection violation a complaint is about (no facts, no narrative)."""

    GENDER_BASED_VIOLENCE = "gender_based_violence"
    INTIMATE_PARTNER_VIOLENCE = "intimate_partner_violence"
    SEXUAL_VIOLENCE = "sexual_violence"
    TRAFFICKING = "trafficking"
    SMUGGLING = "smuggling"
    LABOUR_EXPLOITATION = "labour_exploitation"
    CHILD_LABOUR = "child_labour"
    RECRUITMENT_BY_CRIMINAL_GROUPS = "recruitment_by_criminal_groups"
    OTHER = "other"


class LegalComplaintFiled(CaseEvent):
    """A complaint about a protection violation was filed with a legal authority."""

    event_type: ClassVar[str] = "legal_complaint.filed"

    complaint_id: UUID
    case_id: UUID
    participant_id: UUID
    violation: ProtectionViolation
    authority: LegalAuthority
    region: Region
    recorded_by: UUID
    filed_at: UtcDateTime


class LegalComplaintTakenUp(CaseEvent):
    """A legal authority took up (admitted for processing) a filed complaint (O.E. 1.3)."""

    event_type: ClassVar[str] = "legal_complaint.taken_up"

    complaint_id: UUID
    case_id: UUID
    participant_id: UUID
    authority: LegalAuthority
    region: Region
    recorded_by: UUID
    taken_up_at: UtcDateTime
