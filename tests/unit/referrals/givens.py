"""Given-events for the referral deciders: a referral brought to each state by its events."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from contracts.event import Event
from contracts.referrals import (
    ReferralCancellationReason,
    ReferralOutcome,
    ReferralRejectionReason,
)
from contracts.vocabulary import AssistanceType, Urgency
from services.referrals import accept, answer, cancel, complete, mark_overdue, reject
from services.referrals.referral import Referral, Status, evolve
from services.referrals.request_referral import RequestReferral
from services.referrals.request_referral import decide as request
from tests.support.deciders import Given
from tests.support.peru import ReferralDestination, Region

referral = Given(evolve, Referral())

T0 = datetime(2022, 6, 1, 9, tzinfo=UTC)
DEADLINE = T0 + timedelta(hours=72)
UNIT = uuid.UUID("0d7d0b60-447c-50cf-9d09-dd161afb7cbd")
CONSENT = uuid.UUID("b2fad0c9-dcae-5a86-b9a2-89ffef7bacad")
UNIT_ACTOR = uuid.UUID("815d171c-7b6a-5d5b-87c1-4302656330d8")
CASEWORKER = uuid.UUID("45723ab1-4a06-5e1e-b8e0-378bf24e23cd")


def requesting(**overrides: object) -> RequestReferral:
    """A valid request to a CEM unit sharing a phone and when to call."""
    fields: dict[str, object] = {
        "referral_id": uuid.UUID("d3e67cb0-700f-54bf-a1ff-a222cd04e0bd"),
        "case_id": uuid.uuid4(),
        "participant_id": uuid.uuid4(),
        "unit_id": UNIT,
        "destination": ReferralDestination.CEM,
        "assistance_type": AssistanceType.PSYCHOSOCIAL,
        "urgency": Urgency.ROUTINE,
        "region": Region.TUMBES,
        "consent_id": CONSENT,
        "shared_fields": frozenset({"contact_phone", "preferred_contact_time"}),
        "requested_by": CASEWORKER,
        "now": T0,
        "respond_by": DEADLINE,
    }
    return RequestReferral(**{**fields, **overrides})  # type: ignore[arg-type]


def by_unit(hours: float = 1) -> answer.Answer:
    return answer.Answer(UNIT_ACTOR, T0 + timedelta(hours=hours))


def history(status: Status) -> list[Event]:
    """The events that bring a new referral to `status`."""
    events: list[Event] = list(request(requesting(), Referral()))
    if status is Status.NOT_REQUESTED:
        return []

    def then(decide: object) -> None:
        events.extend(decide(referral(*events)))  # type: ignore[operator]

    if status is Status.OVERDUE:
        then(
            lambda s: mark_overdue.decide(
                mark_overdue.MarkOverdue(DEADLINE + timedelta(minutes=1)), s
            )
        )
    if status in (Status.ACCEPTED, Status.COMPLETED):
        then(lambda s: accept.decide(accept.Accept(by_unit()), s))
    if status is Status.COMPLETED:
        then(lambda s: complete.decide(complete.Complete(ReferralOutcome.ATTENDED, by_unit(2)), s))
    if status is Status.REJECTED:
        then(
            lambda s: reject.decide(
                reject.Reject(ReferralRejectionReason.NO_CAPACITY, by_unit()), s
            )
        )
    if status is Status.CANCELLED:
        then(
            lambda s: cancel.decide(
                cancel.Cancel(ReferralCancellationReason.CONTACT_LOST, CASEWORKER, T0), s
            )
        )
    return events
