"""Delivering services on a case: given case events, when deliver, then events or a refusal
(amounts in PEN, lodging stays)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest

from contracts.cases import (
    CaseReopeningReason,
    ServiceDelivered,
)
from contracts.event import Event
from services.cases import deliver_service, reopen_case
from services.cases.participant import Participant
from tests.support.deciders import then_only, then_refused, when
from tests.support.peru import Region, ServiceType
from tests.unit.cases.givens import (
    CLOSED,
    CONSENTING,
    NOW,
    STAFF,
    a_case,
    opened,
    person,
    registered,
)


def _deliver(
    service: ServiceType = ServiceType.DIGNITY_KIT,
    quantity: int = 1,
    cost: str | None = None,
    days: int = 0,
    who: Participant = CONSENTING,
) -> deliver_service.DeliverService:
    return deliver_service.DeliverService(
        uuid.uuid4(),
        who,
        service,
        quantity,
        Decimal(cost) if cost else None,
        NOW + timedelta(days=days),
        STAFF,
        NOW + timedelta(days=30),
    )


def _delivered(*commands: deliver_service.DeliverService) -> list[Event]:
    events: list[Event] = [opened()]
    for command in commands:
        events += deliver_service.decide(command, a_case(*events))
    return events


def test_deliver_services_with_amounts_in_pen() -> None:
    then_only(
        deliver_service.decide(
            _deliver(ServiceType.REGULARIZATION_FEE, cost="350.00"), a_case(opened())
        ),
        ServiceDelivered,
        cost=Decimal("350.00"),
        region=Region.LIMA_CALLAO,
    )


@pytest.mark.parametrize(
    ("command", "rule"),
    [
        (_deliver(who=person(registered())), "consent_missing"),
        (_deliver(ServiceType.HUMANITARIAN_ASSISTANCE), "cost_required"),
        (_deliver(ServiceType.TRANSPORT_SUPPORT, cost="0.00"), "cost_not_positive"),
        (_deliver(days=31), "delivered_in_future"),
        (_deliver(days=-1), "delivered_before_opening"),
        (_deliver(ServiceType.LODGING, quantity=8), "lodging_exceeds_stay"),
    ],
)
def test_deliver_refusals(command: deliver_service.DeliverService, rule: str) -> None:
    then_refused(when(deliver_service.decide, command, a_case(opened())), rule)


def test_a_closed_case_refuses_services_until_reopened() -> None:
    then_refused(when(deliver_service.decide, _deliver(), a_case(*CLOSED)), "case_closed")
    reopened = (
        *CLOSED,
        *reopen_case.decide(
            reopen_case.ReopenCase(CaseReopeningReason.NEW_NEEDS, STAFF, NOW), a_case(*CLOSED)
        ),
    )
    assert deliver_service.decide(_deliver(), a_case(*reopened))


def test_lodging_stays_are_runs_of_consecutive_nights_of_at_most_seven() -> None:
    three = _delivered(_deliver(ServiceType.LODGING, 3))  # nights 0, 1, 2
    touching = _deliver(ServiceType.LODGING, 5, days=3)  # 3..7: one stay of 8 nights
    then_refused(when(deliver_service.decide, touching, a_case(*three)), "lodging_exceeds_stay")
    assert _delivered(_deliver(ServiceType.LODGING, 3), _deliver(ServiceType.LODGING, 4, days=3))
    overlap = _deliver(ServiceType.LODGING, 2, days=2)
    then_refused(when(deliver_service.decide, overlap, a_case(*three)), "lodging_nights_overlap")
    # A night off between them: two stays of 7 nights each.
    assert _delivered(_deliver(ServiceType.LODGING, 7), _deliver(ServiceType.LODGING, 7, days=8))
