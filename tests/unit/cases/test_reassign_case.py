"""Reassigning a case: given case events, when reassign, then the event or a refusal."""

from __future__ import annotations

import uuid

from contracts.cases import CaseReassigned, ReassignmentReason
from services.cases import reassign_case
from tests.support.deciders import then_only, then_refused, when
from tests.support.peru import Region
from tests.unit.cases.givens import CLOSED, NOW, STAFF, a_case, opened


def test_reassign() -> None:
    other = uuid.uuid4()
    then_only(
        reassign_case.decide(
            reassign_case.ReassignCase(
                other, Region.PIURA, ReassignmentReason.PARTICIPANT_MOVED, STAFF, NOW
            ),
            a_case(opened()),
        ),
        CaseReassigned,
        region=Region.PIURA,
        caseworker_id=other,
    )


def test_reassign_refusals() -> None:
    same = lambda: reassign_case.decide(  # noqa: E731
        reassign_case.ReassignCase(
            STAFF, Region.LIMA_CALLAO, ReassignmentReason.WORKLOAD_BALANCING, STAFF, NOW
        ),
        a_case(opened()),
    )
    then_refused(when(same), "already_assigned")
    then_refused(
        when(
            reassign_case.decide,
            reassign_case.ReassignCase(
                uuid.uuid4(), Region.PIURA, ReassignmentReason.WORKLOAD_BALANCING, STAFF, NOW
            ),
            a_case(*CLOSED),
        ),
        "case_closed",
    )
