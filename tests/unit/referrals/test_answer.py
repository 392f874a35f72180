"""A unit's answer recorded on its behalf carries plausible evidence."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contracts.referrals import (
    AnswerChannel,
    AnswererRole,
    ReferralAccepted,
)
from eventkit.http import REFUSAL_STATUS
from services.referrals import accept, answer
from services.referrals.referral import Status
from tests.support.deciders import then_refused, when
from tests.unit.referrals.givens import CASEWORKER, T0, history, referral


def _on_behalf(hours: float, channel: AnswerChannel = AnswerChannel.PHONE) -> answer.Answer:
    evidence = answer.Evidence(AnswererRole.FOCAL_POINT, channel, T0 + timedelta(hours=hours))
    return answer.Answer(CASEWORKER, T0 + timedelta(hours=10), evidence)


def test_an_answer_recorded_on_behalf_carries_its_evidence() -> None:
    (event,) = accept.decide(accept.Accept(_on_behalf(4)), referral(*history(Status.REQUESTED)))
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
    refused = then_refused(
        when(accept.decide, accept.Accept(evidence), referral(*history(Status.REQUESTED))), rule
    )
    assert (REFUSAL_STATUS[refused.kind], refused.rule) == (422, rule)
