"""Acts on people and cases dated in the field: each takes the moment it happened, never in the
future, before the program's start or before what it depends on; late entries are a
supervisor's, audited (given events, when command, then events or the named refusal)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from contracts.cases import (
    CaseClosed,
    CaseClosureReason,
    CaseReassigned,
    CaseReopened,
    CaseReopeningReason,
    ReassignmentReason,
)
from contracts.consent import ConsentGiven, ConsentGiver, ConsentWithdrawalReason
from contracts.legal_complaints import LegalAuthority, ProtectionViolation
from contracts.outreach import DeliveryMode
from contracts.participants import MergeReason, ParticipantMerged, ParticipantRegistered
from contracts.people import Sex
from contracts.vocabulary import (
    ConsentPurpose,
    MessageChannel,
    MessageTopic,
)
from eventkit.decider import Refused
from services.cases import (
    close_case,
    enrol,
    file_complaint,
    give_consent,
    livelihoods,
    merge,
    reassign_case,
    record_reach,
    register,
    reopen_case,
    withdraw_consent,
)
from services.cases.case_commands import deliver_in
from services.cases.case_requests import DeliverRequest
from services.cases.results import Delivered
from tests.support.deciders import then_only, then_refused, when
from tests.support.peru import LivelihoodProgram, Region, ServiceType
from tests.unit.cases.fakes import CASEWORKER, SUPERVISOR, InMemory
from tests.unit.cases.givens import (
    CLOSED,
    CONSENT,
    NOW,
    STAFF,
    a_case,
    consented,
    opened,
    person,
    registered,
)
from tests.unit.cases.test_case_commands import _case, _consenting

LATER = NOW + timedelta(days=3)  # recorded three days after the givens happened
BEFORE = NOW - timedelta(hours=1)  # before the person was registered and the case opened


def _register(at: datetime | None) -> register.RegisterParticipant:
    return register.RegisterParticipant(uuid.uuid4(), Sex.MAN, NOW.date().replace(year=1990),
                                        False, "VEN", Region.PIURA, STAFF, LATER, at)  # fmt: skip


def test_a_registration_carries_the_day_the_person_was_registered() -> None:
    then_only(when(register.decide, _register(NOW), person()), ParticipantRegistered,
              registered_at=NOW)  # fmt: skip
    then_refused(when(register.decide, _register(NOW.replace(year=2021, month=8)), person()),
                 "registered_before_program_start")  # fmt: skip
    then_refused(when(register.decide, _register(LATER + timedelta(hours=1)), person()),
                 "registered_in_future")  # fmt: skip


def test_consent_is_given_after_registration_and_withdrawn_after_it_was_given() -> None:
    giving = give_consent.GiveConsent(uuid.uuid4(), frozenset({ConsentPurpose.SERVICES}),
                                      ConsentGiver.PARTICIPANT, STAFF, LATER)  # fmt: skip
    early = replace(giving, occurred_at=BEFORE)
    then_refused(
        when(give_consent.decide, early, person(registered())), "given_before_registration"
    )
    then_only(when(give_consent.decide, replace(giving, occurred_at=NOW), person(registered())),
              ConsentGiven, given_at=NOW)  # fmt: skip
    withdrawing = withdraw_consent.WithdrawConsent(
        CONSENT, None, ConsentWithdrawalReason.PARTICIPANT_REQUEST, STAFF, LATER, BEFORE
    )
    then_refused(when(withdraw_consent.decide, withdrawing, person(registered(), consented())),
                 "withdrawn_before_consent")  # fmt: skip


def test_reassign_close_and_reopen_follow_the_opening_and_the_closure() -> None:
    reassigning = reassign_case.ReassignCase(
        uuid.uuid4(), Region.PIURA, ReassignmentReason.PARTICIPANT_MOVED, STAFF, LATER
    )
    early = replace(reassigning, occurred_at=BEFORE)
    then_refused(when(reassign_case.decide, early, a_case(opened())), "reassigned_before_opening")
    at = NOW + timedelta(days=1)
    then_only(when(reassign_case.decide, replace(reassigning, occurred_at=at), a_case(opened())),
              CaseReassigned, reassigned_at=at)  # fmt: skip
    closing = close_case.CloseCase(CaseClosureReason.NEEDS_MET, None, STAFF, LATER, BEFORE)
    then_refused(when(close_case.decide, closing, a_case(opened())), "closed_before_opening")
    then_only(when(close_case.decide, replace(closing, occurred_at=at), a_case(opened())),
              CaseClosed, closed_at=at)  # fmt: skip
    closure = close_case.decide(replace(closing, occurred_at=at), a_case(opened()))
    reopening = reopen_case.ReopenCase(
        CaseReopeningReason.NEW_NEEDS, STAFF, LATER, at - timedelta(minutes=1)
    )
    then_refused(when(reopen_case.decide, reopening, a_case(opened(), *closure)),
                 "reopened_before_closure")  # fmt: skip
    then_only(when(reopen_case.decide, replace(reopening, occurred_at=at), a_case(*CLOSED)),
              CaseReopened, reopened_at=at)  # fmt: skip


def test_a_merge_follows_both_registrations() -> None:
    surviving = person(registered(uuid.uuid4()).model_copy(update={"registered_at": LATER}))
    merging = merge.MergeParticipant(surviving, MergeReason.DUPLICATE_REGISTRATION, STAFF, LATER,
                                     NOW + timedelta(days=1))  # fmt: skip
    then_refused(when(merge.decide, merging, person(registered())), "merged_before_registration")
    then_only(when(merge.decide, replace(merging, occurred_at=LATER), person(registered())),
              ParticipantMerged, merged_at=LATER)  # fmt: skip


def test_outreach_and_livelihood_steps_follow_the_registration() -> None:
    reach = record_reach.RecordReach(
        uuid.uuid4(), MessageTopic.HEALTH_SERVICES, MessageChannel.FAIR, DeliveryMode.IN_PERSON,
        Region.LIMA_CALLAO, BEFORE, LATER,
    )  # fmt: skip
    then_refused(
        when(record_reach.decide, reach, person(registered())), "reached_before_registration"
    )
    step = livelihoods.Step(LivelihoodProgram.DESPEGA_TUS_SUENOS, Region.LIMA_CALLAO, STAFF,
                            BEFORE, LATER)  # fmt: skip
    then_refused(when(enrol.decide, enrol.Enrol(step), person(registered(), consented())),
                 "date_before_registration")  # fmt: skip


def test_a_complaint_is_filed_after_the_case_opened() -> None:
    filing = file_complaint.FileComplaint(
        uuid.uuid4(), ProtectionViolation.GENDER_BASED_VIOLENCE, LegalAuthority.POLICE, BEFORE,
        STAFF, LATER,
    )  # fmt: skip
    then_refused(when(file_complaint.decide, filing, a_case(opened())), "filed_before_opening")


async def test_a_late_delivery_is_a_supervisors_entry_and_is_audited() -> None:
    world = InMemory()
    ports = world.ports
    case_id = await _case(ports, await _consenting(ports))
    recorded = NOW + timedelta(days=10)
    late = DeliverRequest(
        service_type=ServiceType.DIGNITY_KIT, occurred_at=NOW + timedelta(hours=1)
    )
    with pytest.raises(Refused) as refused:
        await deliver_in(ports, case_id, late, CASEWORKER, None, recorded)
    assert (refused.value.rule, refused.value.kind) == ("late_entry_needs_supervisor", "forbidden")
    answer = await deliver_in(ports, case_id, late, SUPERVISOR, None, recorded)
    assert isinstance(answer, Delivered)
    assert world.audit.actions[-1][1] == "service.deliver"
    assert world.audit.purposes[-1] == "late_entry occurred_at=2022-06-15T13:00:00Z"
    on_time = DeliverRequest(service_type=ServiceType.DIGNITY_KIT, delivered_at=recorded)
    await deliver_in(ports, case_id, on_time, CASEWORKER, None, recorded)
    assert world.audit.purposes[-1] is None
