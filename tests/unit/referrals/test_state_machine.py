"""The referral state machine, every state by every transition: given events, when, then."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta

import pytest

from contracts.event import Event
from contracts.referrals import (
    ReferralAccepted,
    ReferralCancellationReason,
    ReferralCancelled,
    ReferralCompleted,
    ReferralOutcome,
    ReferralOverdue,
    ReferralRejected,
    ReferralRejectionReason,
)
from eventkit.http import REFUSAL_STATUS
from services.referrals import accept, cancel, complete, reject
from services.referrals.mark_overdue import MarkOverdue
from services.referrals.mark_overdue import decide as mark_overdue
from services.referrals.referral import Referral, Status
from tests.support.deciders import then_refused, when
from tests.unit.referrals.givens import (
    CASEWORKER,
    DEADLINE,
    T0,
    by_unit,
    history,
    referral,
)

Decide = Callable[[Referral], Sequence[Event]]

TRANSITIONS: dict[str, tuple[Decide, type[Event]]] = {
    "accept": (lambda s: accept.decide(accept.Accept(by_unit(3)), s), ReferralAccepted),
    "reject": (
        lambda s: reject.decide(reject.Reject(ReferralRejectionReason.OUT_OF_SCOPE, by_unit(3)), s),
        ReferralRejected,
    ),
    "complete": (
        lambda s: complete.decide(
            complete.Complete(ReferralOutcome.COMPLAINT_REGISTERED, by_unit(3)), s
        ),
        ReferralCompleted,
    ),
    "cancel": (
        lambda s: cancel.decide(
            cancel.Cancel(ReferralCancellationReason.NEED_MET_OTHERWISE, CASEWORKER, T0), s
        ),
        ReferralCancelled,
    ),
}

LEGAL = {
    (Status.REQUESTED, "accept"), (Status.REQUESTED, "reject"), (Status.REQUESTED, "cancel"),
    (Status.OVERDUE, "accept"), (Status.OVERDUE, "reject"), (Status.OVERDUE, "cancel"),
    (Status.ACCEPTED, "complete"), (Status.ACCEPTED, "cancel"),
}  # fmt: skip
EXISTING = [s for s in Status if s is not Status.NOT_REQUESTED]
CELLS = [(status, name) for status in EXISTING for name in TRANSITIONS]


def test_the_history_builder_reaches_every_state() -> None:
    for status in Status:
        assert referral(*history(status)).status is status


@pytest.mark.parametrize(("status", "name"), CELLS, ids=[f"{s}-{n}" for s, n in CELLS])
def test_every_transition_from_every_state(status: Status, name: str) -> None:
    decide, produced = TRANSITIONS[name]
    given = referral(*history(status))
    if (status, name) in LEGAL:
        events = decide(given)
        assert [type(e) for e in events] == [produced]
        assert referral(*[*history(status), *events]).status is not status
    else:
        refused = then_refused(when(decide, given), "illegal_transition")
        assert REFUSAL_STATUS[refused.kind] == 409
        assert f"the referral is {status}" in refused.message


@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_no_transition_on_a_referral_that_does_not_exist(name: str) -> None:
    refused = then_refused(when(TRANSITIONS[name][0], referral()), "referral_not_found")
    assert (REFUSAL_STATUS[refused.kind], refused.rule) == (404, "referral_not_found")


def test_the_resulting_states() -> None:
    assert referral(*history(Status.ACCEPTED)).answered_at == T0 + timedelta(hours=1)
    late = [
        *history(Status.OVERDUE),
        *accept.decide(accept.Accept(by_unit(80)), referral(*history(Status.OVERDUE))),
    ]
    assert referral(*late).status is Status.ACCEPTED
    assert referral(*late).answered_at == T0 + timedelta(hours=80)


def test_completion_carries_what_indicators_count() -> None:
    given = referral(*history(Status.ACCEPTED))
    (done,) = complete.decide(
        complete.Complete(ReferralOutcome.SIS_AFFILIATION_DONE, by_unit(5)), given
    )
    assert isinstance(done, ReferralCompleted)
    assert done.outcome is ReferralOutcome.SIS_AFFILIATION_DONE
    assert given.facts is not None
    assert (done.destination, done.region, done.case_id) == (
        given.facts.destination, given.facts.region, given.facts.case_id,
    )  # fmt: skip


class TestOverdue:
    def test_nothing_before_the_deadline(self) -> None:
        assert (
            mark_overdue(
                MarkOverdue(DEADLINE - timedelta(seconds=1)), referral(*history(Status.REQUESTED))
            )
            == []
        )

    def test_at_the_deadline_an_unanswered_referral_becomes_overdue(self) -> None:
        (event,) = mark_overdue(MarkOverdue(DEADLINE), referral(*history(Status.REQUESTED)))
        assert isinstance(event, ReferralOverdue)
        assert (event.respond_by, event.detected_at) == (DEADLINE, DEADLINE)

    @pytest.mark.parametrize("status", [s for s in Status if s is not Status.REQUESTED])
    def test_only_a_waiting_referral_becomes_overdue_and_only_once(self, status: Status) -> None:
        later = MarkOverdue(DEADLINE + timedelta(days=30))
        assert mark_overdue(later, referral(*history(status))) == []
