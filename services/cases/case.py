"""The case aggregate's state, folded from its events (pure).

One stream per case (`case_id`): its life cycle, the services delivered within it and its legal
complaints. Follow-up notes are not events: they stay encrypted in the service's tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from contracts.cases import CaseClosed, CaseOpened, CaseReassigned, CaseReopened, ServiceDelivered
from contracts.event import Event
from contracts.legal_complaints import LegalComplaintFiled, LegalComplaintTakenUp
from contracts.vocabulary import CaseType, Region, ServiceType
from eventkit.decider import RefusalKind, Refused
from program.load import current_program


class Status(StrEnum):
    """Where a case is in its life."""

    NOT_OPENED = "not_opened"
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class Case:
    """Everything the rules need to know about one case."""

    status: Status = Status.NOT_OPENED
    case_id: UUID | None = None
    participant_id: UUID | None = None
    case_type: CaseType | None = None
    region: Region | None = None
    caseworker_id: UUID | None = None
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    lodging_nights: frozenset[date] = frozenset()  # every night of lodging already delivered
    complaints: dict[UUID, bool] = field(default_factory=dict)  # complaint id -> taken up


def stay_limit(service: ServiceType) -> int | None:
    """The most days per stay of a service delivered by the day (Peru's lodging: 7), or None."""
    found = next((s for s in current_program().services if s.code == service), None)
    return found.max_stay_days if found else None


def existing(state: Case) -> tuple[UUID, UUID, Region]:
    """Case id, participant id and region; 404 when the case was never opened."""
    if state.status is Status.NOT_OPENED or not state.case_id or not state.participant_id:
        raise Refused("case_not_found", "no such case", RefusalKind.NOT_FOUND)
    assert state.region is not None
    return state.case_id, state.participant_id, state.region


def open_only(state: Case, doing: str) -> tuple[UUID, UUID, Region]:
    """As `existing`, and refuses a closed case (it must be reopened first)."""
    ids = existing(state)
    if state.status is Status.CLOSED:
        raise Refused(
            "case_closed", f"the case is closed; reopen it before {doing}", RefusalKind.CONFLICT
        )
    return ids


def evolve(state: Case, event: Event) -> Case:
    """The state after one more event."""
    match event:
        case CaseOpened():
            return Case(
                status=Status.OPEN,
                case_id=event.case_id,
                participant_id=event.participant_id,
                case_type=event.case_type,
                region=event.region,
                caseworker_id=event.caseworker_id,
                opened_at=event.opened_at,
            )
        case CaseReassigned():
            return replace(state, caseworker_id=event.caseworker_id, region=event.region)
        case CaseClosed():
            return replace(state, status=Status.CLOSED, closed_at=event.closed_at)
        case CaseReopened():
            return replace(state, status=Status.OPEN)
        case ServiceDelivered() if stay_limit(event.service_type) is not None:
            first = event.delivered_at.date()
            nights = {date.fromordinal(first.toordinal() + n) for n in range(event.quantity)}
            return replace(state, lodging_nights=state.lodging_nights | nights)
        case LegalComplaintFiled():
            return replace(state, complaints={**state.complaints, event.complaint_id: False})
        case LegalComplaintTakenUp():
            return replace(state, complaints={**state.complaints, event.complaint_id: True})
    return state
