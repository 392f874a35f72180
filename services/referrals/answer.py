"""What every answer of a receiving unit carries: who records it, when, and on whose behalf.

The answers themselves are use cases: `accept.py`, `reject.py`, `complete.py`.

A unit with a system account answers itself through the API. For a unit without one, a
caseworker records the answer on its behalf with `Evidence`: who at the unit answered (a role),
when, and how it came (phone, letter...). The time to answer is measured to `answered_at`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from contracts.referrals import (
    AnswerChannel,
    AnswererRole,
)
from eventkit.decider import RefusalKind, Refused
from eventkit.field_time import PROGRAM_RULES, FieldTimeRules, happened
from services.referrals.referral import Referral, Requested, Transition, require


@dataclass(frozen=True)
class Evidence:
    """How an answer recorded on a unit's behalf was given."""

    answerer_role: AnswererRole
    channel: AnswerChannel
    answered_at: datetime


@dataclass(frozen=True)
class Answer:
    """Who records an answer (the unit, or a caseworker with evidence) and when."""

    by: UUID
    now: datetime
    evidence: Evidence | None = None
    occurred_at: datetime | None = None  # when the unit answered, if recorded later
    rules: FieldTimeRules = PROGRAM_RULES

    @property
    def given(self) -> datetime | None:
        """The moment the client gave: the evidence's, or `occurred_at` (None: now)."""
        return self.evidence.answered_at if self.evidence else self.occurred_at

    @property
    def at(self) -> datetime:
        """When the unit answered: now, or the moment given."""
        return self.given or self.now

    @property
    def channel(self) -> AnswerChannel:
        return self.evidence.channel if self.evidence else AnswerChannel.API

    @property
    def answerer_role(self) -> AnswererRole | None:
        return self.evidence.answerer_role if self.evidence else None


def checked(state: Referral, transition: Transition, answer: Answer) -> Requested:
    """The referral's facts if `transition` is legal now and the evidence, if any, is plausible;
    its moment follows the field-time rules: after the request, and a completion after the
    acceptance."""
    facts = require(state, transition)
    if answer.evidence is not None and answer.evidence.channel is AnswerChannel.API:
        raise Refused(
            "channel_api",
            "an answer recorded on a unit's behalf did not come through the API: name the"
            " channel it came through",
            RefusalKind.INVALID,
        )
    after = [("request", facts.requested_at)]
    if transition is Transition.COMPLETE:
        after.append(("acceptance", state.answered_at or facts.requested_at))
    happened("answered", answer.given, answer.now, answer.rules, after)
    return facts
