"""The program's shared vocabulary: regions, case types, services, destinations, topics.

These are what reports group and filter by. Reasons that matter to a single aggregate (why a
voucher was cancelled, why a referral was rejected) live beside that aggregate's events.
Values are stable wire strings: renaming one is a breaking change (new event version).

A deployment's own words (territories, case types, services, referral destinations, voucher
coverage, identity documents, livelihood lines and outcomes, regularization profiles) are program
codes (`contracts.codes`), defined by its program file (`program/`), not enums here: their old
names stay as aliases, so events and services read as before. The enums left are the platform's
own flows (urgency, consent, intake, messages).
"""

from enum import StrEnum

from contracts.codes import (
    CaseTypeCode,
    DestinationCode,
    DocumentTypeCode,
    LivelihoodOutcomeCode,
    LivelihoodProgramCode,
    RegularizationProfileCode,
    ServiceCode,
    TerritoryCode,
    VoucherCoverageCode,
)

Region = TerritoryCode
"""The territory of an act, at the level its program records acts at: a program code."""


DocumentType = DocumentTypeCode
"""A kind of identity document seen at intake, and shared with a receiving service that needs
one: a program code (one list for every service: cases registers it, referrals passes it on)."""


class Urgency(StrEnum):
    """How fast a referral or voucher must be acted on."""

    ROUTINE = "routine"
    URGENT = "urgent"


CaseType = CaseTypeCode
"""A kind of case, the flow it follows (Peru: GBV protection, migratory regularization...): a
program code; the program says which need a regularization profile and whose reads are audited."""


RegularizationProfile = RegularizationProfileCode
"""A migratory regularization profile (Peru's four: I to IV): a program code."""


class IntakeChannel(StrEnum):
    """How a case came in."""

    ADMISSION_FORM = "admission_form"
    INTERNAL_REFERRAL = "internal_referral"
    EXTERNAL_REFERRAL = "external_referral"
    OUTREACH = "outreach"
    FAIR = "fair"
    HOTLINE = "hotline"


ServiceType = ServiceCode
"""A service the program itself delivers: a program code."""


ReferralDestination = DestinationCode
"""A kind of institution a person can be referred to: a program code."""


class AssistanceType(StrEnum):
    """Kind of assistance a referral asks for (O.E. 1.1 counts medical, legal, psychosocial)."""

    MEDICAL = "medical"
    LEGAL = "legal"
    PSYCHOSOCIAL = "psychosocial"
    PROTECTION = "protection"
    HEALTH_INSURANCE = "health_insurance"
    REGULARIZATION = "regularization"
    MATERIAL = "material"


class ConsentPurpose(StrEnum):
    """What a participant consents to; sharing with a referral destination needs its own."""

    SERVICES = "services"
    REFERRAL_SHARING = "referral_sharing"
    MONITORING_EVALUATION = "monitoring_evaluation"


class MessageTopic(StrEnum):
    """Subject of a targeted message (O.E. 2.5 health services, O.E. 3.6 income generation)."""

    HEALTH_SERVICES = "health_services"
    INCOME_GENERATION = "income_generation"


class MessageChannel(StrEnum):
    """Where a targeted message reached the person."""

    COMMUNITY_HEALTH_AGENT = "community_health_agent"
    PSYCHOSOCIAL_ACTIVITY = "psychosocial_activity"
    FAIR = "fair"
    TALK = "talk"
    WHATSAPP = "whatsapp"
    SOCIAL_NETWORK = "social_network"
    TECHNICAL_ASSISTANCE = "technical_assistance"


LivelihoodProgram = LivelihoodProgramCode
"""A livelihood line of the program: a program code."""


LivelihoodOutcome = LivelihoodOutcomeCode
"""A follow-up outcome of the livelihood lines (Peru: O.E. 3.1 to 3.5): a program code; the
program says which start work and which need an earlier fact."""


VoucherService = VoucherCoverageCode
"""What a health voucher covers at a partner provider: a program code."""
