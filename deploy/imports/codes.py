"""The program's code lists, by name: what a template offers and what a row may hold.

The one place the import learns the program's codes: territories, case types, services, referral
destinations, voucher coverage, identity documents, livelihood lines and outcomes, regularization
profiles, population types and each coarse attribute's values (`attribute_<code>`) from the
deployment's program file (`program`, issue 23), the domain's fixed lists from the enums of
`contracts` and the referrals service.
"""

from __future__ import annotations

from enum import StrEnum

from contracts.consent import ConsentGiver
from contracts.livelihoods import SelectionStage
from contracts.outreach import DeliveryMode
from contracts.people import Sex, VulnerabilityProfile
from contracts.referrals import AnswerChannel, AnswererRole, ReferralOutcome
from contracts.referrals import ReferralRejectionReason as RejectionReason
from contracts.vocabulary import (
    AssistanceType,
    ConsentPurpose,
    IntakeChannel,
    MessageChannel,
    MessageTopic,
    Urgency,
)
from program.load import current_program
from services.referrals.request_referral import ReferralReason
from services.referrals.shared_minimum import ContactTime

_LISTS: dict[str, type[StrEnum]] = {
    "sex": Sex,
    "vulnerability": VulnerabilityProfile,
    "consent_purpose": ConsentPurpose,
    "consent_giver": ConsentGiver,
    "intake_channel": IntakeChannel,
    "urgency": Urgency,
    "message_topic": MessageTopic,
    "message_channel": MessageChannel,
    "delivery_mode": DeliveryMode,
    "selection_stage": SelectionStage,
    "assistance_type": AssistanceType,
    "referral_outcome": ReferralOutcome,
    "rejection_reason": RejectionReason,
    "answer_channel": AnswerChannel,
    "answerer_role": AnswererRole,
    "referral_reason": ReferralReason,
    "contact_time": ContactTime,
}

PROGRAM: dict[str, str] = {  # list name -> the program file's vocabulary
    "region": "territory",
    "case_type": "case_type",
    "admin2": "admin2",
    "destination": "destination",
    "service_type": "service",
    "voucher_service": "voucher_coverage",
    "document_type": "document_type",
    "regularization_profile": "regularization_profile",
    "livelihood_program": "livelihood_program",
    "livelihood_outcome": "livelihood_outcome",
    "group_activity_kind": "group_activity_kind",
    "population_type": "population_type",
    "age_group": "age_group",
}
ATTRIBUTE = "attribute_"
"""The prefix of the list (and the column) of one of the program's coarse attributes: its values."""

FIXED: dict[str, list[str]] = {
    "livelihood_record": ["enrolment", "stage", "training", "outcome"],
    "yes_no": ["si", "no"],
}


def codes(name: str) -> list[str]:
    """The codes of list `name`, in the program's order (KeyError: no such list)."""
    if name in PROGRAM:
        return current_program().ordered(PROGRAM[name])
    if name.startswith(ATTRIBUTE) and name.removeprefix(ATTRIBUTE) in _attributes():
        return current_program().ordered(name.removeprefix(ATTRIBUTE))
    if name in _LISTS:
        return [member.value for member in _LISTS[name]]
    return list(FIXED[name])


def names() -> list[str]:
    """Every code list's name."""
    return sorted({*PROGRAM, *_LISTS, *FIXED, *(f"{ATTRIBUTE}{a}" for a in _attributes())})


def _attributes() -> list[str]:
    return [attribute.code for attribute in current_program().attributes]
