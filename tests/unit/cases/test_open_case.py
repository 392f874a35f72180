"""Opening a case: given case events and the person's, when open, then the event or a refusal
(reassign, close, reopen: `test_reassign_case.py`, `test_close_case.py`, `test_reopen_case.py`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from contracts.cases import CaseOpened
from contracts.vocabulary import (
    ConsentPurpose,
    IntakeChannel,
    Urgency,
)
from services.cases import open_case
from services.cases.participant import Participant
from tests.support.deciders import then_only, then_refused, when
from tests.support.peru import CaseType, Region, RegularizationProfile
from tests.unit.cases.givens import (
    CASE,
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
