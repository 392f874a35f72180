"""Opening a case and its life cycle: given case events, when open, reassign, close or reopen,
then events or a refusal."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest

from contracts.cases import (
    CaseClosed,
    CaseClosureReason,
    CaseOpened,
    CaseReassigned,
    CaseReopened,
    CaseReopeningReason,
    ReassignmentReason,
)
from contracts.vocabulary import (
    CaseType,
    ConsentPurpose,
    IntakeChannel,
    Urgency,
)
from services.cases import close_case, open_case, reassign_case, reopen_case
from services.cases.participant import Participant
from tests.support.deciders import then_only, then_refused, when
from tests.support.peru import Region, RegularizationProfile
from tests.unit.cases.givens import (
    CASE,
    CLOSED,
    CONSENTING,
    NOW,
    STAFF,
    a_case,
    consented,
    opened,
    person,
    registered,
)


def _open(
    who: Participant = CONSENTING,
    case_type: CaseType = CaseType.MIGRATORY_REGULARIZATION,
    profile: RegularizationProfile | None = RegularizationProfile.VULNERABILITY,
) -> open_case.OpenCase:
    return open_case.OpenCase(
        CASE,
        who,
        case_type,
        IntakeChannel.HOTLINE,
        profile,
        Urgency.URGENT,
        Region.TUMBES,
        STAFF,
        NOW,
    )


def test_open_a_case_with_type_channel_region_and_caseworker() -> None:
    then_only(
        open_case.decide(_open(), a_case()),
        CaseOpened,
        intake_channel=IntakeChannel.HOTLINE,
        regularization_profile=RegularizationProfile.VULNERABILITY,
        caseworker_id=STAFF,
    )


@pytest.mark.parametrize(
    ("command", "state", "rule"),
    [
        (_open(), a_case(opened()), "case_exists"),
        (_open(person()), a_case(), "participant_not_found"),
        (_open(person(registered())), a_case(), "consent_missing"),
        (
            _open(person(registered(), consented(ConsentPurpose.MONITORING_EVALUATION))),
            a_case(),
            "consent_missing",
        ),
        (_open(profile=None), a_case(), "regularization_profile_required"),
        (_open(case_type=CaseType.HEALTH), a_case(), "regularization_profile_not_allowed"),
    ],
)
def test_open_refusals(command: open_case.OpenCase, state: object, rule: str) -> None:
    then_refused(when(open_case.decide, command, state), rule)


def test_a_case_recorded_later_keeps_when_it_was_opened_but_never_a_future_date() -> None:
    earlier = NOW - timedelta(days=40)
    # Field dates (issue 25): a case is never opened before its person was registered, and the
    # future is judged with the clock allowance (five minutes) every act shares.
    long_known = person(
        registered().model_copy(update={"registered_at": earlier - timedelta(days=1)}),
        consented(),
    )
    [opened] = open_case.decide(replace(_open(long_known), opened_at=earlier), a_case())
    assert isinstance(opened, CaseOpened)
    assert opened.opened_at == earlier
    later = replace(_open(), opened_at=NOW + timedelta(minutes=6))
    then_refused(when(open_case.decide, later, a_case()), "opened_in_future")
    then_refused(when(open_case.decide, replace(_open(), opened_at=earlier), a_case()),
                 "opened_before_registration")  # fmt: skip


def test_reassign_close_reopen() -> None:
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
    assert a_case(*CLOSED).status == "closed"
    then_only(
        reopen_case.decide(
            reopen_case.ReopenCase(CaseReopeningReason.NEW_NEEDS, STAFF, NOW), a_case(*CLOSED)
        ),
        CaseReopened,
    )
    other_reason = close_case.decide(
        close_case.CloseCase(CaseClosureReason.OTHER, "moved_abroad", STAFF, NOW), a_case(opened())
    )
    then_only(other_reason, CaseClosed, reason_code="moved_abroad")


def test_life_cycle_refusals() -> None:
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
