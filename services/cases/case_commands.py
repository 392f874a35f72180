"""The service layer for cases: open, reassign, close, reopen, deliver, complaints, notes.

Each function loads the case's stream, decides, appends, keeps the read tables and the audit log
through `ports`, and returns what happened (`services.cases.results`); the routes shape the answer.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime

from access.actors import actor_id
from access.late_entry import late_entry_note
from access.principal import Principal
from contracts.event import Event
from eventkit.aggregate import execute
from eventkit.decider import RefusalKind, Refused
from eventkit.field_time import configured
from eventkit.ids import new_id
from services.cases import (
    close_case,
    deliver_service,
    file_complaint,
    open_case,
    reassign_case,
    record_taken_up,
    reopen_case,
)
from services.cases.case import Case, evolve
from services.cases.case_requests import (
    CloseRequest,
    ComplaintRequest,
    DeliverRequest,
    OpenCaseRequest,
    ReassignRequest,
    ReopenRequest,
    TakenUpRequest,
)
from services.cases.personal_data import Note
from services.cases.ports import PersonalDataStore, Ports
from services.cases.results import CaseChanged, Delivered, NoteAdded, Opened

Rule = Callable[[Case, uuid.UUID, datetime], Sequence[Event]]
"""A case rule given the state, the acting staff member's id and the time."""


async def open_for(
    ports: Ports, body: OpenCaseRequest, principal: Principal, now: datetime
) -> Opened:
    """A case for the person, on the surviving record if the id was merged."""
    rules = configured()
    late = late_entry_note(principal, body.opened_at, now, rules)
    case_id = new_id()
    person = await ports.participant(await ports.views.surviving(body.participant_id))
    rule = open_case.OpenCase(
        case_id, person, body.case_type, body.intake_channel, body.regularization_profile,
        body.urgency, body.region, body.caseworker_id or actor_id(principal), now,
        body.opened_at, rules, body.admin2,
    )  # fmt: skip
    decided = await execute(
        ports.store, str(case_id), evolve, Case(), lambda s: open_case.decide(rule, s), now=now
    )
    await ports.views.record(decided.events, decided.appended.version)
    await ports.audit.done(principal, "case.open", ("case", case_id), late)
    assert person.participant_id is not None  # the rule refuses an unknown person
    return Opened(
        case_id, person.participant_id, rule.caseworker_id, decided.appended.version,
        decided.position,
    )  # fmt: skip


async def changed(
    ports: Ports,
    case_id: uuid.UUID,
    action: str,
    rule: Rule,
    principal: Principal,
    expected: int | None,
    now: datetime,
    occurred_at: datetime | None = None,
) -> CaseChanged:
    """Any case command whose rule needs only the case: reassign, close, reopen, complaints.

    `occurred_at` is the moment the rule was given (when it happened): late, a supervisor's.
    """
    late = late_entry_note(principal, occurred_at, now, configured())
    by = actor_id(principal)
    decided = await execute(
        ports.store, str(case_id), evolve, Case(), lambda s: rule(s, by, now), expected, now=now
    )
    await ports.views.record(decided.events, decided.appended.version)
    await ports.audit.done(principal, action, ("case", case_id), late)
    complaint_id = None
    for event in decided.events:
        if hasattr(event, "complaint_id"):
            complaint_id = event.complaint_id
    return CaseChanged(case_id, decided.appended.version, decided.position, complaint_id)


async def reassign(
    ports: Ports, case_id: uuid.UUID, body: ReassignRequest, principal: Principal,
    expected: int | None, now: datetime,
) -> CaseChanged:  # fmt: skip
    """Hand the case to another caseworker, in the region it moves to."""

    def rule(state: Case, by: uuid.UUID, at: datetime) -> Sequence[Event]:
        command = reassign_case.ReassignCase(
            body.caseworker_id, body.region, body.reason, by, at, body.occurred_at, configured()
        )
        return reassign_case.decide(command, state)

    return await changed(ports, case_id, "case.reassign", rule, principal, expected, now,
                         body.occurred_at)  # fmt: skip


async def close(
    ports: Ports, case_id: uuid.UUID, body: CloseRequest, principal: Principal,
    expected: int | None, now: datetime,
) -> CaseChanged:  # fmt: skip
    def rule(state: Case, by: uuid.UUID, at: datetime) -> Sequence[Event]:
        command = close_case.CloseCase(
            body.reason, body.reason_code, by, at, body.occurred_at, configured()
        )
        return close_case.decide(command, state)

    return await changed(ports, case_id, "case.close", rule, principal, expected, now,
                         body.occurred_at)  # fmt: skip


async def reopen(
    ports: Ports, case_id: uuid.UUID, body: ReopenRequest, principal: Principal,
    expected: int | None, now: datetime,
) -> CaseChanged:  # fmt: skip
    def rule(state: Case, by: uuid.UUID, at: datetime) -> Sequence[Event]:
        command = reopen_case.ReopenCase(body.reason, by, at, body.occurred_at, configured())
        return reopen_case.decide(command, state)

    return await changed(ports, case_id, "case.reopen", rule, principal, expected, now,
                         body.occurred_at)  # fmt: skip


async def file(
    ports: Ports, case_id: uuid.UUID, body: ComplaintRequest, principal: Principal,
    now: datetime,
) -> CaseChanged:  # fmt: skip
    """A legal complaint filed from the case (its `complaint_id` in the result)."""
    complaint_id = new_id()

    def rule(state: Case, by: uuid.UUID, at: datetime) -> Sequence[Event]:
        command = file_complaint.FileComplaint(
            complaint_id, body.violation, body.authority, body.filed_at or at, by, at,
            configured(),
        )  # fmt: skip
        return file_complaint.decide(command, state)

    return await changed(ports, case_id, "legal_complaint.file", rule, principal, None, now,
                         body.filed_at)  # fmt: skip


async def taken_up(
    ports: Ports, case_id: uuid.UUID, complaint_id: uuid.UUID, body: TakenUpRequest,
    principal: Principal, now: datetime,
) -> CaseChanged:  # fmt: skip
    def rule(state: Case, by: uuid.UUID, at: datetime) -> Sequence[Event]:
        command = record_taken_up.RecordTakenUp(
            complaint_id, body.authority, body.taken_up_at or at, by, at, configured()
        )
        return record_taken_up.decide(command, state)

    return await changed(ports, case_id, "legal_complaint.taken_up", rule, principal, None, now,
                         body.taken_up_at)  # fmt: skip


async def deliver_in(
    ports: Ports,
    case_id: uuid.UUID,
    body: DeliverRequest,
    principal: Principal,
    expected: int | None,
    now: datetime,
) -> Delivered:
    """A service delivered within the case, checked against the person's consent now."""
    participant_id = await ports.views.case_participant(case_id)
    if participant_id is None:
        raise Refused("case_not_found", "no such case", RefusalKind.NOT_FOUND)
    rules = configured()
    late = late_entry_note(principal, body.delivered_at, now, rules)
    rule = deliver_service.DeliverService(
        new_id(), await ports.participant(await ports.views.surviving(participant_id)),
        body.service_type, body.quantity, body.cost, body.delivered_at or now,
        actor_id(principal), now, rules, body.admin2,
    )  # fmt: skip
    decided = await execute(
        ports.store, str(case_id), evolve, Case(), lambda s: deliver_service.decide(rule, s),
        expected, now=now
    )  # fmt: skip
    await ports.views.record(decided.events, decided.appended.version)
    await ports.audit.done(principal, "service.deliver", ("case", case_id), late)
    return Delivered(case_id, rule.delivery_id, decided.appended.version, decided.position)


async def add_note(
    ports: Ports,
    personal: PersonalDataStore,
    case_id: uuid.UUID,
    text: str,
    principal: Principal,
    now: datetime,
) -> NoteAdded:
    """A follow-up note, sealed under the participant's key: never an event, shredded on erasure
    (an erased person's case takes no note: `participant_erased`)."""
    participant_id = await ports.views.case_participant(case_id)
    if participant_id is None:
        raise Refused("case_not_found", "no such case", RefusalKind.NOT_FOUND)
    note = Note(new_id(), case_id, participant_id, actor_id(principal), now, text)
    await personal.keep_note(note)
    await ports.audit.done(principal, "case.note", ("case", case_id))
    return NoteAdded(case_id, note.note_id)
