"""Peru's program codes as enums, for tests: test data, not vocabulary (that is the program
file's, `program/programs/peru.yaml`; `tests/unit/program/test_peru_codes.py` keeps them equal)."""

from enum import StrEnum


class Region(StrEnum):
    LIMA_CALLAO = "lima_callao"
    LA_LIBERTAD = "la_libertad"
    PIURA = "piura"
    TUMBES = "tumbes"


class CaseType(StrEnum):
    GBV_PROTECTION = "gbv_protection"
    MIGRATORY_REGULARIZATION = "migratory_regularization"
    HEALTH = "health"
    MENTAL_HEALTH = "mental_health"
    LIVELIHOODS = "livelihoods"
    IN_TRANSIT = "in_transit"


class ServiceType(StrEnum):
    GBV_ORIENTATION = "gbv_orientation"
    REGULARIZATION_ORIENTATION = "regularization_orientation"
    HEALTH_ACCESS_ORIENTATION = "health_access_orientation"
    DIGNITY_KIT = "dignity_kit"
    KIT_CAMINANTE = "kit_caminante"
    PSYCHOLOGICAL_FIRST_AID = "psychological_first_aid"
    HUMANITARIAN_ASSISTANCE = "humanitarian_assistance"
    TRANSPORT_SUPPORT = "transport_support"
    LODGING = "lodging"
    REGULARIZATION_FEE = "regularization_fee"
    MEDICAL_REPORT = "medical_report"
    LIVELIHOODS_ADVICE = "livelihoods_advice"
    TECHNICAL_TRAINING = "technical_training"
    ENTREPRENEUR_MENTORING = "entrepreneur_mentoring"
    BUSINESS_EQUIPMENT = "business_equipment"


class ReferralDestination(StrEnum):
    CEM = "CEM"
    SIS = "SIS"
    CSMC = "CSMC"
    EESS = "EESS"
    DEFENSA_PUBLICA = "DEFENSA_PUBLICA"
    DEFENSORIA = "DEFENSORIA"
    UPE = "UPE"
    UDAVIT = "UDAVIT"
    FISCALIA = "FISCALIA"
    TRATA_MININTER = "TRATA_MININTER"
    MIGRACIONES = "MIGRACIONES"
    ALLY_NGO = "ALLY_NGO"


class VoucherService(StrEnum):
    CONSULTATION = "consultation"
    EXAMS = "exams"
    MEDICINES = "medicines"


class DocumentType(StrEnum):
    DNI = "dni"
    FOREIGNER_CARD = "foreigner_card"
    PTP = "ptp"
    CPP = "cpp"
    PASSPORT = "passport"
    VENEZUELAN_ID = "venezuelan_id"
    ASYLUM_SEEKER_CARD = "asylum_seeker_card"
    OTHER = "other"
    NONE = "none"


class LivelihoodProgram(StrEnum):
    IMPULSATE_PANA = "impulsate_pana"
    DESPEGA_TUS_SUENOS = "despega_tus_suenos"
    CONQUISTA_TUS_METAS = "conquista_tus_metas"
    ACTIVATE_Y_EMPRENDE = "activate_y_emprende"


class LivelihoodOutcome(StrEnum):
    EMPLOYMENT_OBTAINED = "employment_obtained"
    SELF_EMPLOYMENT_OBTAINED = "self_employment_obtained"
    EMPLOYMENT_KEPT_6_MONTHS = "employment_kept_6_months"  # paid employment or self-employment
    INCOME_INCREASED = "income_increased"
    BUSINESS_STARTED = "business_started"
    VOCATIONAL_SKILLS_USED = "vocational_skills_used"


class RegularizationProfile(StrEnum):
    EXPIRED_PERMIT_AND_FINES = "expired_permit_and_fines"  # I
    REGISTRATION_DIFFICULTIES = "registration_difficulties"  # II
    CHANGE_TO_MIGRATORY_STATUS = "change_to_migratory_status"  # III
    VULNERABILITY = "vulnerability"  # IV: health and/or GBV


REGIONS = [r.value for r in Region]
"""Peru's regions in the program file's order (the indicators' tables list them so)."""
