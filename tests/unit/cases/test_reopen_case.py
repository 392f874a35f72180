"""Reopening a case: given case events, when reopen, then the event or a refusal."""

from __future__ import annotations

from contracts.cases import CaseReopened, CaseReopeningReason
from services.cases import reopen_case
from tests.support.deciders import then_only, then_refused, when
from tests.unit.cases.givens import CLOSED, NOW, STAFF, a_case, opened


def test_reopen_a_closed_case() -> None:
    then_only(
        reopen_case.decide(
            reopen_case.ReopenCase(CaseReopeningReason.NEW_NEEDS, STAFF, NOW), a_case(*CLOSED)
        ),
        CaseReopened,
    )


def test_reopen_refusals() -> None:
    then_refused(
        when(
            reopen_case.decide,
            reopen_case.ReopenCase(CaseReopeningReason.NEW_NEEDS, STAFF, NOW),
            a_case(opened()),
        ),
        "case_not_closed",
    )
    then_refused(
        when(
            reopen_case.decide,
            reopen_case.ReopenCase(CaseReopeningReason.NEW_NEEDS, STAFF, NOW),
            a_case(),
        ),
        "case_not_found",
    )
