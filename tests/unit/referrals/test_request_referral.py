"""Requesting a referral under consent with only the fields the destination needs, by its
deadline."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contracts.referrals import (
    ReferralRequested,
)
from contracts.vocabulary import Urgency
from eventkit.http import REFUSAL_STATUS
from program.load import current_program
from services.referrals.deadlines import Deadlines, default_hours
from services.referrals.referral import Referral, Status
from services.referrals.request_referral import decide as request
from services.referrals.shared_minimum import SharedMinimum, needs, refuse_unneeded
from tests.support.deciders import then_refused, when
from tests.support.peru import ReferralDestination
from tests.unit.referrals.givens import CONSENT, T0, history, referral, requesting


def test_a_request_names_destination_unit_consent_and_deadline() -> None:
    (event,) = request(requesting(), Referral())
    assert isinstance(event, ReferralRequested)
    assert event.destination == ReferralDestination.CEM
    assert event.consent_id == CONSENT
    assert event.respond_by > event.requested_at == T0


def test_without_consent_the_request_is_refused_naming_the_consent() -> None:
    refused = then_refused(
        when(request, requesting(consent_id=None), referral()), "consent_missing"
    )
    assert 400 <= REFUSAL_STATUS[refused.kind] < 500
    assert "referral_sharing consent" in refused.message
    assert "CEM" in refused.message


def test_fields_the_destination_does_not_need_are_refused_by_name() -> None:
    command = requesting(
        destination=ReferralDestination.CSMC,
        shared_fields=frozenset({"age_group", "contact_phone", "document_number"}),
    )
    refused = then_refused(when(request, command, referral()), "fields_not_allowed")
    assert REFUSAL_STATUS[refused.kind] == 422
    assert "contact_phone, document_number" in refused.message


def test_a_referral_is_requested_once() -> None:
    then_refused(
        when(request, requesting(), referral(*history(Status.REQUESTED))), "already_requested"
    )


def test_every_destination_has_its_minimum_and_a_csmc_gets_only_age_group_and_sex() -> None:
    assert all(needs(destination) for destination in ReferralDestination)
    assert needs(ReferralDestination.CSMC) == {"age_group", "sex"}
    assert {"document_type", "document_number"} <= needs(ReferralDestination.SIS)
    assert "document_number" not in needs(ReferralDestination.CEM)
    refuse_unneeded(ReferralDestination.CEM, {"contact_phone", "preferred_contact_time"})


def test_the_shared_minimum_as_text() -> None:
    shared = SharedMinimum(contact_phone="+51 987 654 321", pregnant=True, age_group="youth")
    assert shared.filled() == {
        "contact_phone": "+51 987 654 321",
        "pregnant": "true",
        "age_group": "youth",
    }


def test_deadlines_per_destination_and_urgency_with_overrides() -> None:
    assert {(d, u) for d in ReferralDestination for u in Urgency} == set(
        default_hours(current_program())
    )
    deadlines = Deadlines({"CEM/urgent": 6})
    assert deadlines.respond_by(ReferralDestination.CEM, Urgency.URGENT, T0) == T0 + timedelta(
        hours=6
    )
    assert deadlines.respond_by(ReferralDestination.CEM, Urgency.ROUTINE, T0) == T0 + timedelta(
        hours=72
    )
    with pytest.raises(ValueError, match="NOPE"):
        Deadlines({"NOPE/urgent": 1})
