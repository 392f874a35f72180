"""Requesting under consent with only the needed fields; answers recorded with evidence."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contracts.referrals import (
    AnswerChannel,
    AnswererRole,
    ReferralAccepted,
    ReferralRequested,
)
from contracts.vocabulary import ReferralDestination, Urgency
from eventkit.decider import Refused
from eventkit.http import REFUSAL_STATUS
from services.referrals import answer
from services.referrals.deadlines import DEFAULT_HOURS, Deadlines
from services.referrals.referral import Referral, Status
from services.referrals.request_referral import request
from services.referrals.shared_minimum import NEEDS, SharedMinimum, refuse_unneeded
from tests.unit.referrals.builders import CASEWORKER, CONSENT, T0, history, requesting, state_of


def test_a_request_names_destination_unit_consent_and_deadline() -> None:
    (event,) = request(requesting(), Referral())
    assert isinstance(event, ReferralRequested)
    assert event.destination is ReferralDestination.CEM
    assert event.consent_id == CONSENT
    assert event.respond_by > event.requested_at == T0


def test_without_consent_the_request_is_refused_naming_the_consent() -> None:
    with pytest.raises(Refused) as refused:
        request(requesting(consent_id=None), Referral())
    assert refused.value.rule == "consent_missing"
    assert 400 <= REFUSAL_STATUS[refused.value.kind] < 500
    assert "referral_sharing consent" in refused.value.message
    assert "CEM" in refused.value.message


def test_fields_the_destination_does_not_need_are_refused_by_name() -> None:
    command = requesting(
        destination=ReferralDestination.CSMC,
        shared_fields=frozenset({"age_group", "contact_phone", "document_number"}),
    )
    with pytest.raises(Refused) as refused:
        request(command, Referral())
    assert REFUSAL_STATUS[refused.value.kind] == 422
    assert "contact_phone, document_number" in refused.value.message


def test_a_referral_is_requested_once() -> None:
    with pytest.raises(Refused) as refused:
        request(requesting(), state_of(history(Status.REQUESTED)))
    assert refused.value.rule == "already_requested"


def test_every_destination_has_its_minimum_and_a_csmc_gets_only_age_group_and_sex() -> None:
    assert set(NEEDS) == set(ReferralDestination)
    assert NEEDS[ReferralDestination.CSMC] == {"age_group", "sex"}
    assert {"document_type", "document_number"} <= NEEDS[ReferralDestination.SIS]
    assert "document_number" not in NEEDS[ReferralDestination.CEM]
    refuse_unneeded(ReferralDestination.CEM, {"contact_phone", "preferred_contact_time"})


def test_the_shared_minimum_as_text() -> None:
    shared = SharedMinimum(contact_phone="+51 987 654 321", pregnant=True, age_group="youth")
    assert shared.filled() == {
        "contact_phone": "+51 987 654 321",
        "pregnant": "true",
        "age_group": "youth",
    }


def test_deadlines_per_destination_and_urgency_with_overrides() -> None:
    assert {(d, u) for d in ReferralDestination for u in Urgency} == set(DEFAULT_HOURS)
    deadlines = Deadlines({"CEM/urgent": 6})
    assert deadlines.respond_by(ReferralDestination.CEM, Urgency.URGENT, T0) == T0 + timedelta(
        hours=6
    )
    assert deadlines.respond_by(ReferralDestination.CEM, Urgency.ROUTINE, T0) == T0 + timedelta(
        hours=72
    )
    with pytest.raises(ValueError, match="NOPE"):
        Deadlines({"NOPE/urgent": 1})


def _on_behalf(hours: float, channel: AnswerChannel = AnswerChannel.PHONE) -> answer.Answer:
    evidence = answer.Evidence(AnswererRole.FOCAL_POINT, channel, T0 + timedelta(hours=hours))
    return answer.Answer(CASEWORKER, T0 + timedelta(hours=10), evidence)


def test_an_answer_recorded_on_behalf_carries_its_evidence() -> None:
    (event,) = answer.accept(state_of(history(Status.REQUESTED)), _on_behalf(4))
    assert isinstance(event, ReferralAccepted)
    assert event.accepted_at == T0 + timedelta(hours=4)  # when the unit answered
    assert event.accepted_by == CASEWORKER
    assert (event.channel, event.answerer_role) == (AnswerChannel.PHONE, AnswererRole.FOCAL_POINT)


@pytest.mark.parametrize(
    ("evidence", "rule"),
    [
        (_on_behalf(11), "answered_in_future"),
        (_on_behalf(-1), "answered_before_request"),
        (_on_behalf(4, AnswerChannel.API), "channel_api"),
    ],
)
def test_evidence_must_be_plausible(evidence: answer.Answer, rule: str) -> None:
    with pytest.raises(Refused) as refused:
        answer.accept(state_of(history(Status.REQUESTED)), evidence)
    assert (REFUSAL_STATUS[refused.value.kind], refused.value.rule) == (422, rule)
