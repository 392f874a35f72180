"""The program's codes the forms offer, each shown through its catalog label (`code.<value>`)."""

from __future__ import annotations

from contracts.cases import CaseClosureReason, CaseReopeningReason, ReassignmentReason
from contracts.consent import ConsentGiver, ConsentWithdrawalReason
from contracts.referrals import ReferralOutcome, ReferralRejectionReason
from contracts.vocabulary import (
    AssistanceType,
    ConsentPurpose,
    IntakeChannel,
)
from contracts.vouchers import VoucherCancellationReason
from program.load import current_program
from services.referrals.request_referral import ReferralReason

_PROGRAM = current_program()
VOUCHER_SERVICES = tuple(c.code for c in _PROGRAM.voucher_coverage)
REGIONS = tuple(t.code for t in _PROGRAM.recorded())
DESTINATIONS = tuple(d.code for d in _PROGRAM.referral_destinations)
DOCUMENT_TYPES = tuple(d.code for d in _PROGRAM.document_types)
SEXES = tuple(s.code for s in _PROGRAM.sexes)
CASE_TYPES = tuple(c.code for c in _PROGRAM.case_types if not c.regularization)
"""The case types the person page opens: not those that need a regularization profile."""
INTAKE_CHANNELS = tuple(c.value for c in IntakeChannel)
SERVICE_TYPES = tuple(s.code for s in _PROGRAM.services)
CONSENT_PURPOSES = tuple(p.value for p in ConsentPurpose)
CONSENT_GIVERS = tuple(g.value for g in ConsentGiver)
ASSISTANCE = tuple(a.value for a in AssistanceType)
REFERRAL_REASONS = tuple(r.value for r in ReferralReason)
REJECTION_REASONS = tuple(r.value for r in ReferralRejectionReason)
OUTCOMES = tuple(o.value for o in ReferralOutcome)
AGE_GROUPS = tuple(a.code for a in _PROGRAM.age_groups)
CLOSURE_REASONS = tuple(r.value for r in CaseClosureReason)
"""`other` last, with the short code the form then asks for (`reason_code`)."""
REOPENING_REASONS = tuple(r.value for r in CaseReopeningReason)
REASSIGNMENT_REASONS = tuple(r.value for r in ReassignmentReason)
WITHDRAWAL_REASONS = tuple(r.value for r in ConsentWithdrawalReason)
CANCELLATION_REASONS = tuple(r.value for r in VoucherCancellationReason)
PROVIDER_KINDS = ("clinic", "polyclinic", "pharmacy", "laboratory")
"""The kinds of partner provider the vouchers API takes (`ProviderRequest.kind`)."""
CHOICES = {"age_group": AGE_GROUPS, "sex": SEXES, "document_type": DOCUMENT_TYPES}
"""Shared-minimum fields offered as a choice of codes rather than typed."""
