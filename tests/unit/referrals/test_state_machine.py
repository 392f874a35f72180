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
from eventkit.decider import Refused
from eventkit.http import REFUSAL_STATUS
from services.referrals import answer
from services.referrals.cancel import cancel
from services.referrals.deadlines import mark_overdue
from services.referrals.referral import Referral, Status
from tests.unit.referrals.builders import (
    CASEWORKER,
    DEADLINE,
    T0,
    by_unit,
    history,
    state_of,
)

Decide = Callable[[Referral], Sequence[Event]]

TRANSITIONS: dict[str, tuple[Decide, type[Event]]] = {
    "accept": (lambda s: answer.accept(s, by_unit(3)), ReferralAccepted),
    "reject": (
        lambda s: answer.reject(s, ReferralRejectionReason.OUT_OF_SCOPE, by_unit(3)),
        ReferralRejected,
    ),
    "complete": (
        lambda s: answer.complete(s, ReferralOutcome.COMPLAINT_REGISTERED, by_unit(3)),
        ReferralCompleted,
    ),
    "cancel": (
        lambda s: cancel(s, ReferralCancellationReason.NEED_MET_OTHERWISE, CASEWORKER, T0),
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
        assert state_of(history(status)).status is status


@pytest.mark.parametrize(("status", "name"), CELLS, ids=[f"{s}-{n}" for s, n in CELLS])
def test_every_transition_from_every_state(status: Status, name: str) -> None:
    decide, produced = TRANSITIONS[name]
    given = state_of(history(status))
    if (status, name) in LEGAL:
        events = decide(given)
        assert [type(e) for e in events] == [produced]
        assert state_of([*history(status), *events]).status is not status
    else:
        with pytest.raises(Refused) as refused:
            decide(given)
        assert REFUSAL_STATUS[refused.value.kind] == 409
        assert refused.value.rule == "illegal_transition"
        assert f"the referral is {status}" in refused.value.message


@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_no_transition_on_a_referral_that_does_not_exist(name: str) -> None:
    with pytest.raises(Refused) as refused:
        TRANSITIONS[name][0](Referral())
    assert (REFUSAL_STATUS[refused.value.kind], refused.value.rule) == (404, "referral_not_found")


def test_the_resulting_states() -> None:
    assert state_of(history(Status.ACCEPTED)).answered_at == T0 + timedelta(hours=1)
    late = [
        *history(Status.OVERDUE),
        *answer.accept(state_of(history(Status.OVERDUE)), by_unit(80)),
    ]
    assert state_of(late).status is Status.ACCEPTED
    assert state_of(late).answered_at == T0 + timedelta(hours=80)


def test_completion_carries_what_indicators_count() -> None:
    given = state_of(history(Status.ACCEPTED))
    (done,) = answer.complete(given, ReferralOutcome.SIS_AFFILIATION_DONE, by_unit(5))
    assert isinstance(done, ReferralCompleted)
    assert done.outcome is ReferralOutcome.SIS_AFFILIATION_DONE
    assert given.facts is not None
    assert (done.destination, done.region, done.case_id) == (
        given.facts.destination, given.facts.region, given.facts.case_id,
    )  # fmt: skip


class TestOverdue:
    def test_nothing_before_the_deadline(self) -> None:
        assert (
            mark_overdue(state_of(history(Status.REQUESTED)), DEADLINE - timedelta(seconds=1)) == []
        )

    def test_at_the_deadline_an_unanswered_referral_becomes_overdue(self) -> None:
        (event,) = mark_overdue(state_of(history(Status.REQUESTED)), DEADLINE)
        assert isinstance(event, ReferralOverdue)
        assert (event.respond_by, event.detected_at) == (DEADLINE, DEADLINE)

    @pytest.mark.parametrize("status", [s for s in Status if s is not Status.REQUESTED])
    def test_only_a_waiting_referral_becomes_overdue_and_only_once(self, status: Status) -> None:
        assert mark_overdue(state_of(history(status)), DEADLINE + timedelta(days=30)) == []
