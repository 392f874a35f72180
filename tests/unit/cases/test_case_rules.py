"""Given case events, when a command, then events or a refusal (open, reassign, close, reopen,
deliver services, lodging stays, legal complaints)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from contracts.cases import (
    CaseClosed,
    CaseClosureReason,
    CaseOpened,
    CaseReassigned,
    CaseReopened,
    CaseReopeningReason,
    ReassignmentReason,
    ServiceDelivered,
)
from contracts.legal_complaints import (
    LegalAuthority,
    LegalComplaintFiled,
    LegalComplaintTakenUp,
    ProtectionViolation,
)
from contracts.vocabulary import (
    CaseType,
    ConsentPurpose,
    IntakeChannel,
    Region,
    RegularizationProfile,
    ServiceType,
    Urgency,
)
from eventkit.decider import Refused
from services.cases import deliver_service, legal_complaint, open_case
from services.cases.participant import Participant
from tests.unit.cases.givens import (
    CASE,
    NOW,
    STAFF,
    a_case,
    consented,
    only,
    opened,
    person,
    refused,
    registered,
)

CONSENTING = person(registered(), consented())
CLOSED = (
    opened(),
    *open_case.close(a_case(opened()), CaseClosureReason.NEEDS_MET, None, STAFF, NOW),
)


def _open(
    who: Participant = CONSENTING,
    case_type: CaseType = CaseType.MIGRATORY_REGULARIZATION,
    profile: RegularizationProfile | None = RegularizationProfile.VULNERABILITY,
) -> open_case.OpenCase:
    return open_case.OpenCase(
        CASE,
        who,
        case_type,
        IntakeChannel.HOTLINE,
        profile,
        Urgency.URGENT,
        Region.TUMBES,
        STAFF,
        NOW,
    )


def test_open_a_case_with_type_channel_region_and_caseworker() -> None:
    only(
        open_case.open_case(_open(), a_case()),
        CaseOpened,
        intake_channel=IntakeChannel.HOTLINE,
        regularization_profile=RegularizationProfile.VULNERABILITY,
        caseworker_id=STAFF,
    )


@pytest.mark.parametrize(
    ("command", "state", "rule"),
    [
        (_open(), a_case(opened()), "case_exists"),
        (_open(person()), a_case(), "participant_not_found"),
        (_open(person(registered())), a_case(), "consent_missing"),
        (
            _open(person(registered(), consented(ConsentPurpose.MONITORING_EVALUATION))),
            a_case(),
            "consent_missing",
        ),
        (_open(profile=None), a_case(), "regularization_profile_required"),
        (_open(case_type=CaseType.HEALTH), a_case(), "regularization_profile_not_allowed"),
    ],
)
def test_open_refusals(command: open_case.OpenCase, state: object, rule: str) -> None:
    refused(rule, lambda: open_case.open_case(command, state))  # type: ignore[arg-type]


def test_a_case_recorded_later_keeps_when_it_was_opened_but_never_a_future_date() -> None:
    earlier = NOW - timedelta(days=40)
    [opened] = open_case.open_case(replace(_open(), opened_at=earlier), a_case())
    assert isinstance(opened, CaseOpened)
    assert opened.opened_at == earlier
    later = replace(_open(), opened_at=NOW + timedelta(minutes=5))
    with pytest.raises(Refused) as refused:
        open_case.open_case(later, a_case())
    assert refused.value.rule == "opened_in_future"


def test_reassign_close_reopen() -> None:
    other = uuid.uuid4()
    only(
        open_case.reassign(
            a_case(opened()), other, Region.PIURA, ReassignmentReason.PARTICIPANT_MOVED, STAFF, NOW
        ),
        CaseReassigned,
        region=Region.PIURA,
        caseworker_id=other,
    )
    assert a_case(*CLOSED).status == "closed"
    only(open_case.reopen(a_case(*CLOSED), CaseReopeningReason.NEW_NEEDS, STAFF, NOW), CaseReopened)
    other_reason = open_case.close(
        a_case(opened()), CaseClosureReason.OTHER, "moved_abroad", STAFF, NOW
    )
    only(other_reason, CaseClosed, reason_code="moved_abroad")


def test_life_cycle_refusals() -> None:
    same = lambda: open_case.reassign(  # noqa: E731
        a_case(opened()),
        STAFF,
        Region.LIMA_CALLAO,
        ReassignmentReason.WORKLOAD_BALANCING,
        STAFF,
        NOW,
    )
    refused("already_assigned", same)
    refused(
        "case_closed",
        lambda: open_case.reassign(
            a_case(*CLOSED),
            uuid.uuid4(),
            Region.PIURA,
            ReassignmentReason.WORKLOAD_BALANCING,
            STAFF,
            NOW,
        ),
    )
    refused(
        "case_already_closed",
        lambda: open_case.close(a_case(*CLOSED), CaseClosureReason.CONTACT_LOST, None, STAFF, NOW),
    )
    refused(
        "reason_code_required",
        lambda: open_case.close(a_case(opened()), CaseClosureReason.OTHER, None, STAFF, NOW),
    )
    refused(
        "case_not_closed",
        lambda: open_case.reopen(a_case(opened()), CaseReopeningReason.NEW_NEEDS, STAFF, NOW),
    )
    refused(
        "case_not_found",
        lambda: open_case.reopen(a_case(), CaseReopeningReason.NEW_NEEDS, STAFF, NOW),
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


def _delivered(*commands: deliver_service.DeliverService) -> list[object]:
    events: list[object] = [opened()]
    for command in commands:
        events += deliver_service.deliver(command, a_case(*events))  # type: ignore[arg-type]
    return events


def test_deliver_services_with_amounts_in_pen() -> None:
    only(
        deliver_service.deliver(
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
    refused(rule, lambda: deliver_service.deliver(command, a_case(opened())))


def test_a_closed_case_refuses_services_until_reopened() -> None:
    refused("case_closed", lambda: deliver_service.deliver(_deliver(), a_case(*CLOSED)))
    reopened = (
        *CLOSED,
        *open_case.reopen(a_case(*CLOSED), CaseReopeningReason.NEW_NEEDS, STAFF, NOW),
    )
    assert deliver_service.deliver(_deliver(), a_case(*reopened))


def test_lodging_stays_are_runs_of_consecutive_nights_of_at_most_seven() -> None:
    three = _delivered(_deliver(ServiceType.LODGING, 3))  # nights 0, 1, 2
    touching = _deliver(ServiceType.LODGING, 5, days=3)  # 3..7: one stay of 8 nights
    refused("lodging_exceeds_stay", lambda: deliver_service.deliver(touching, a_case(*three)))  # type: ignore[arg-type]
    assert _delivered(_deliver(ServiceType.LODGING, 3), _deliver(ServiceType.LODGING, 4, days=3))
    overlap = _deliver(ServiceType.LODGING, 2, days=2)
    refused("lodging_nights_overlap", lambda: deliver_service.deliver(overlap, a_case(*three)))  # type: ignore[arg-type]
    # A night off between them: two stays of 7 nights each.
    assert _delivered(_deliver(ServiceType.LODGING, 7), _deliver(ServiceType.LODGING, 7, days=8))


def test_legal_complaint_filed_then_taken_up_once() -> None:
    complaint = uuid.uuid4()
    file = legal_complaint.FileComplaint(
        complaint, ProtectionViolation.TRAFFICKING, LegalAuthority.POLICE, NOW, STAFF, NOW
    )
    filed = legal_complaint.file(file, a_case(opened()))
    only(filed, LegalComplaintFiled, violation=ProtectionViolation.TRAFFICKING)
    refused("complaint_exists", lambda: legal_complaint.file(file, a_case(opened(), *filed)))
    refused("case_closed", lambda: legal_complaint.file(file, a_case(*CLOSED)))
    up = legal_complaint.RecordTakenUp(complaint, LegalAuthority.PROSECUTOR, NOW, STAFF, NOW)
    closed_after = (opened(), *filed, *CLOSED[1:])
    taken = legal_complaint.taken_up(up, a_case(*closed_after))
    only(taken, LegalComplaintTakenUp, authority=LegalAuthority.PROSECUTOR)
    refused(
        "complaint_already_taken_up",
        lambda: legal_complaint.taken_up(up, a_case(*closed_after, *taken)),
    )
    unknown = legal_complaint.RecordTakenUp(uuid.uuid4(), LegalAuthority.POLICE, NOW, STAFF, NOW)
    refused("complaint_not_found", lambda: legal_complaint.taken_up(unknown, a_case(opened())))
    later = legal_complaint.RecordTakenUp(
        complaint, LegalAuthority.POLICE, NOW + timedelta(days=1), STAFF, NOW
    )
    refused("taken_up_in_future", lambda: legal_complaint.taken_up(later, a_case(opened(), *filed)))
    future = legal_complaint.FileComplaint(
        uuid.uuid4(),
        ProtectionViolation.OTHER,
        LegalAuthority.POLICE,
        NOW + timedelta(days=1),
        STAFF,
        NOW,
    )
    refused("filed_in_future", lambda: legal_complaint.file(future, a_case(opened())))
