"""The tests' Peru enums are exactly the Peru program file's codes, in its order."""

from program.load import DEFAULT_PROGRAM_FILE, load_program
from tests.support.peru import (
    CaseType,
    DocumentType,
    LivelihoodOutcome,
    LivelihoodProgram,
    ReferralDestination,
    Region,
    RegularizationProfile,
    ServiceType,
    VoucherService,
)

PERU = load_program(DEFAULT_PROGRAM_FILE)


def test_the_test_enums_are_the_programs_codes() -> None:
    assert [r.value for r in Region] == [t.code for t in PERU.recorded()]
    assert [s.value for s in ServiceType] == [s.code for s in PERU.services]
    assert [c.value for c in CaseType] == [c.code for c in PERU.case_types]
    assert [d.value for d in ReferralDestination] == [d.code for d in PERU.referral_destinations]
    assert [v.value for v in VoucherService] == [v.code for v in PERU.voucher_coverage]
    assert [d.value for d in DocumentType] == [d.code for d in PERU.document_types]
    assert [p.value for p in LivelihoodProgram] == [p.code for p in PERU.livelihood_programs]
    assert [o.value for o in LivelihoodOutcome] == [o.code for o in PERU.livelihood_outcomes]
    assert [r.value for r in RegularizationProfile] == [
        r.code for r in PERU.regularization_profiles
    ]
