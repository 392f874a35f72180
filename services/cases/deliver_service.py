"""Deliver a service within a case: only while the case is open and consent for services stands.

A service the program delivers by the night (`max_stay_days`: lodging for survivors referred by
protection and justice institutions, seven nights) is limited per stay. A stay is a run of
consecutive nights, so two deliveries that touch (3 nights from the 1st, then 5 from the 4th)
are one stay of 8 nights and the second is refused.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from contracts.cases import ServiceDelivered
from contracts.vocabulary import ConsentPurpose, ServiceType
from eventkit.admin2 import check_admin2
from eventkit.decider import RefusalKind, Refused
from eventkit.field_time import PROGRAM_RULES, FieldTimeRules, happened
from program.load import current_program
from services.cases.case import Case, open_only, stay_limit
from services.cases.participant import Participant, require_consent


@dataclass(frozen=True)
class DeliverService:
    delivery_id: UUID
    participant: Participant
    service_type: ServiceType
    quantity: int
    cost: Decimal | None
    delivered_at: datetime
    delivered_by: UUID
    now: datetime
    rules: FieldTimeRules = PROGRAM_RULES
    admin2: str | None = None


def decide(command: DeliverService, state: Case) -> list[ServiceDelivered]:
    """One delivery, checked against the case, the consent, the amount and lodging stays."""
    case_id, participant_id, region = open_only(state, "delivering services")
    require_consent(command.participant, ConsentPurpose.SERVICES)
    happened(
        "delivered", command.delivered_at, command.now, command.rules,
        [("opening", state.opened_at)],
    )  # fmt: skip
    if command.quantity < 1:
        raise Refused("quantity_not_positive", "quantity must be at least 1", RefusalKind.INVALID)
    _check_cost(command.service_type, command.cost)
    check_admin2(command.admin2, region)
    limit = stay_limit(command.service_type)
    if limit is not None:
        _check_stay(state.lodging_nights, command.delivered_at.date(), command.quantity, limit)
    return [
        ServiceDelivered(
            delivery_id=command.delivery_id,
            case_id=case_id,
            participant_id=participant_id,
            service_type=command.service_type,
            quantity=command.quantity,
            cost=command.cost,
            region=region,
            admin2=command.admin2,
            delivered_by=command.delivered_by,
            delivered_at=command.delivered_at,
        )
    ]


def _check_cost(service: ServiceType, cost: Decimal | None) -> None:
    program = current_program()
    currency = program.currency
    if program.service(service).paid and cost is None:
        raise Refused(
            "cost_required", f"cost ({currency}) is required for {service}", RefusalKind.INVALID
        )
    if cost is not None and cost <= 0:
        raise Refused(
            "cost_not_positive", f"cost must be greater than 0.00 {currency}", RefusalKind.INVALID
        )


def _check_stay(recorded: frozenset[date], first: date, nights: int, limit: int) -> None:
    wanted = {first + timedelta(days=n) for n in range(nights)}
    overlap = wanted & recorded
    if overlap:
        raise Refused(
            "lodging_nights_overlap",
            f"lodging for {min(overlap)} is already recorded",
            RefusalKind.CONFLICT,
        )
    stay = _stay_around(recorded | wanted, first)
    if len(stay) > limit:
        raise Refused(
            "lodging_exceeds_stay",
            f"lodging is at most {limit} nights per stay; this stay would have "
            f"{len(stay)} nights ({min(stay)} to {max(stay)})",
            RefusalKind.INVALID,
        )


def _stay_around(nights: AbstractSet[date], night: date) -> set[date]:
    stay = {night}
    before, after = night - timedelta(days=1), night + timedelta(days=1)
    while before in nights:
        stay.add(before)
        before -= timedelta(days=1)
    while after in nights:
        stay.add(after)
        after += timedelta(days=1)
    return stay
