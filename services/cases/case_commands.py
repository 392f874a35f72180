"""The service layer for cases: open, reassign, close, reopen, deliver, complaints, notes."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime

from access.actors import actor_id
from access.late_entry import late_entry_note
from access.participant_keys import Erased
from access.principal import Principal
from access.settings import PersonalDataKeys
from contracts.event import Event
from eventkit.aggregate import execute
from eventkit.clock import Now
from eventkit.decider import RefusalKind, Refused
from eventkit.field_time import configured
from eventkit.idempotency import Answer, Command
from eventkit.ids import new_id
from eventkit.store import Connection
from services.cases import deliver_service, open_case, personal_data
from services.cases.audit import audit
from services.cases.case import Case, evolve
from services.cases.case_requests import DeliverRequest, OpenCaseRequest
from services.cases.ports import Ports

Rule = Callable[[Case, uuid.UUID, datetime], Sequence[Event]]
"""A case rule given the state, the acting staff member's id and the time."""


def open_new(body: OpenCaseRequest, principal: Principal, *, clock: Now) -> Command:
    async def run(conn: Connection) -> Answer:
        return await open_for(Ports.postgres(conn), body, principal, clock())

    return run


async def open_for(
    ports: Ports, body: OpenCaseRequest, principal: Principal, now: datetime
) -> Answer:
    """A case for the person, on the surviving record if the id was merged."""
    rules = configured()
    late = late_entry_note(principal, body.opened_at, now, rules)
    case_id = new_id()
    person = await ports.participant(await ports.views.surviving(body.participant_id))
    rule = open_case.OpenCase(
        case_id, person, body.case_type, body.intake_channel, body.regularization_profile,
        body.urgency, body.region, body.caseworker_id or actor_id(principal), now,
        body.opened_at, rules,
    )  # fmt: skip
    decided = await execute(
        ports.store, str(case_id), evolve, Case(), lambda s: open_case.decide(rule, s)
    )
    await ports.views.record(decided.events, decided.appended.version)
    await ports.audit.done(principal, "case.open", ("case", case_id), late)
    return Answer(
        201,
        {
            "case_id": str(case_id),
            "participant_id": str(person.participant_id),
            "caseworker_id": str(rule.caseworker_id),
            "version": decided.appended.version,
            "position": decided.position,
        },
    )


def change(
    case_id: uuid.UUID,
    action: str,
    rule: Rule,
    principal: Principal,
    expected: int | None,
    *,
    clock: Now,
    occurred_at: datetime | None = None,
) -> Command:
    async def run(conn: Connection) -> Answer:
        return await changed(Ports.postgres(conn), case_id, action, rule, principal, expected,
                             clock(), occurred_at)  # fmt: skip

    return run


async def changed(
    ports: Ports,
    case_id: uuid.UUID,
    action: str,
    rule: Rule,
    principal: Principal,
    expected: int | None,
    now: datetime,
    occurred_at: datetime | None = None,
) -> Answer:
    """Any case command whose rule needs only the case: reassign, close, reopen, complaints.

    `occurred_at` is the moment the rule was given (when it happened): late, a supervisor's.
    """
    late = late_entry_note(principal, occurred_at, now, configured())
    by = actor_id(principal)
    decided = await execute(
        ports.store, str(case_id), evolve, Case(), lambda s: rule(s, by, now), expected
    )
    await ports.views.record(decided.events, decided.appended.version)
    await ports.audit.done(principal, action, ("case", case_id), late)
    body: dict[str, object] = {
        "case_id": str(case_id),
        "version": decided.appended.version,
        "position": decided.position,
    }
    for event in decided.events:
        if hasattr(event, "complaint_id"):
            body["complaint_id"] = str(event.complaint_id)
    return Answer(200, body)


def deliver(
    case_id: uuid.UUID,
    body: DeliverRequest,
    principal: Principal,
    expected: int | None,
    *,
    clock: Now,
) -> Command:
    async def run(conn: Connection) -> Answer:
        return await deliver_in(Ports.postgres(conn), case_id, body, principal, expected, clock())

    return run


async def deliver_in(
    ports: Ports,
    case_id: uuid.UUID,
    body: DeliverRequest,
    principal: Principal,
    expected: int | None,
    now: datetime,
) -> Answer:
    """A service delivered within the case, checked against the person's consent now."""
    participant_id = await ports.views.case_participant(case_id)
    if participant_id is None:
        raise Refused("case_not_found", "no such case", RefusalKind.NOT_FOUND)
    rules = configured()
    late = late_entry_note(principal, body.delivered_at, now, rules)
    rule = deliver_service.DeliverService(
        new_id(), await ports.participant(await ports.views.surviving(participant_id)),
        body.service_type, body.quantity, body.cost, body.delivered_at or now,
        actor_id(principal), now, rules,
    )  # fmt: skip
    decided = await execute(
        ports.store, str(case_id), evolve, Case(), lambda s: deliver_service.decide(rule, s),
        expected,
    )  # fmt: skip
    await ports.views.record(decided.events, decided.appended.version)
    await ports.audit.done(principal, "service.deliver", ("case", case_id), late)
    return Answer(
        201,
        {
            "case_id": str(case_id),
            "delivery_id": str(rule.delivery_id),
            "version": decided.appended.version,
            "position": decided.position,
        },
    )


def add_note(
    case_id: uuid.UUID, text: str, principal: Principal, keys: PersonalDataKeys, *, clock: Now
) -> Command:
    """A follow-up note, sealed under the participant's key: never an event, shredded on erasure."""

    async def run(conn: Connection) -> Answer:
        row = await conn.fetchrow(
            "SELECT participant_id, status FROM cases WHERE case_id = $1", case_id
        )
        if row is None:
            raise Refused("case_not_found", "no such case", RefusalKind.NOT_FOUND)
        note_id, now = new_id(), clock()
        try:
            sealed = await personal_data.cipher(conn, keys).encrypt(
                str(row["participant_id"]), {f"note/{note_id}": text}
            )
        except Erased:  # the person's key is destroyed: nothing can be written about them
            raise Refused(
                "participant_erased",
                "this case's participant was erased; no note can be added",
                RefusalKind.CONFLICT,
            ) from None
        await conn.execute(
            "INSERT INTO case_notes VALUES ($1, $2, $3, $4, $5, $6)",
            note_id, case_id, row["participant_id"], actor_id(principal), now,
            sealed[f"note/{note_id}"],
        )  # fmt: skip
        await audit(conn, principal, "case.note", ("case", case_id))
        return Answer(201, {"case_id": str(case_id), "note_id": str(note_id)})

    return run
