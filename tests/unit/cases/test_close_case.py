"""Closing a case: given case events, when close, then the event or a refusal."""

from __future__ import annotations

from contracts.cases import CaseClosed, CaseClosureReason
from services.cases import close_case
from tests.support.deciders import then_only, then_refused, when
from tests.unit.cases.givens import CLOSED, NOW, STAFF, a_case, opened


def test_close_with_another_reason_names_its_code() -> None:
    assert a_case(*CLOSED).status == "closed"
    other_reason = close_case.decide(
        close_case.CloseCase(CaseClosureReason.OTHER, "moved_abroad", STAFF, NOW), a_case(opened())
    )
    then_only(other_reason, CaseClosed, reason_code="moved_abroad")


def test_close_refusals() -> None:
    then_refused(
        when(
            close_case.decide,
            close_case.CloseCase(CaseClosureReason.CONTACT_LOST, None, STAFF, NOW),
            a_case(*CLOSED),
        ),
        "case_already_closed",
    )
    then_refused(
        when(
            close_case.decide,
            close_case.CloseCase(CaseClosureReason.OTHER, None, STAFF, NOW),
            a_case(opened()),
        ),
        "reason_code_required",
    )
