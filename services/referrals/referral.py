"""The referral aggregate's state, folded from its events, and its state machine (pure).

```
requested ──> accepted ──> completed
    │  │          └──────> cancelled
    │  ├──> rejected
    │  ├──> cancelled
    │  └──> overdue ──> accepted | rejected | cancelled   (a late answer still counts)
```
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from contracts.event import Event
from contracts.referrals import (
    ReferralAccepted,
    ReferralCancelled,
    ReferralCompleted,
    ReferralOverdue,
    ReferralRejected,
    ReferralRequested,
)
from contracts.vocabulary import AssistanceType, ReferralDestination, Region
from eventkit.decider import RefusalKind, Refused


class Status(StrEnum):
    """Where a referral is in its life."""

    NOT_REQUESTED = "not_requested"
    REQUESTED = "requested"
    OVERDUE = "overdue"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Transition(StrEnum):
    """What can happen to an existing referral."""

    ACCEPT = "accept"
    REJECT = "reject"
    COMPLETE = "complete"
    CANCEL = "cancel"
    BECOME_OVERDUE = "become overdue"


WAITING = frozenset({Status.REQUESTED, Status.OVERDUE})
"""Requested and not answered yet (overdue ones included)."""

ALLOWED_FROM: dict[Transition, frozenset[Status]] = {
    Transition.ACCEPT: WAITING,
    Transition.REJECT: WAITING,
    Transition.COMPLETE: frozenset({Status.ACCEPTED}),
    Transition.CANCEL: WAITING | {Status.ACCEPTED},
    Transition.BECOME_OVERDUE: frozenset({Status.REQUESTED}),
}


@dataclass(frozen=True)
class Requested:
    """The facts of an existing referral (what every transition's events repeat)."""

    referral_id: UUID
    case_id: UUID
    participant_id: UUID
    destination: ReferralDestination
    unit_id: UUID
    assistance_type: AssistanceType
    region: Region
    requested_at: datetime
    respond_by: datetime
    admin2: str | None = None


@dataclass(frozen=True)
class Referral:
    """Everything the rules need to know about one referral."""

    status: Status = Status.NOT_REQUESTED
    facts: Requested | None = None
    answered_at: datetime | None = None


def require(state: Referral, transition: Transition) -> Requested:
    """The referral's facts if `transition` is legal now; else `Refused` naming the state."""
    if state.facts is None:
        raise Refused("referral_not_found", "no such referral", RefusalKind.NOT_FOUND)
    allowed = ALLOWED_FROM[transition]
    if state.status not in allowed:
        raise Refused(
            "illegal_transition",
            f"the referral is {state.status}: it cannot {transition} "
            f"(only from {', '.join(sorted(allowed))})",
            RefusalKind.CONFLICT,
        )
    return state.facts


def evolve(state: Referral, event: Event) -> Referral:
    """The state after one more event."""
    match event:
        case ReferralRequested():
            facts = Requested(
                event.referral_id, event.case_id, event.participant_id, event.destination,
                event.destination_org_id, event.assistance_type, event.region,
                event.requested_at, event.respond_by, event.admin2,
            )  # fmt: skip
            return Referral(Status.REQUESTED, facts)
        case ReferralAccepted():
            return replace(state, status=Status.ACCEPTED, answered_at=event.accepted_at)
        case ReferralRejected():
            return replace(state, status=Status.REJECTED, answered_at=event.rejected_at)
        case ReferralCompleted():
            return replace(state, status=Status.COMPLETED)
        case ReferralCancelled():
            return replace(state, status=Status.CANCELLED)
        case ReferralOverdue():
            return replace(state, status=Status.OVERDUE)
    return state
