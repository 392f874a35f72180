"""The service layer of field submissions: each becomes the API's own commands, once.

A submission is keyed by its instance id: the first delivery applies it (the same service-layer
functions as the routes: rules, events, views, audit, as the enumerator's principal), a resent
one finds its row and changes nothing. A submission the rules refuse, or whose answers the API
would refuse, waits in review with its reason, its answers sealed (`review_commands.py`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from access.policy import ResourceScope, decide
from access.principal import Principal, Region
from access.settings import PersonalDataKeys
from eventkit.decider import RefusalKind, Refused
from eventkit.ids import new_id
from eventkit.store import Connection
from services.cases import (
    bulk_outreach,
    case_commands,
    consent_commands,
    group_activity_commands,
    participant_acts,
    participant_commands,
    personal_data,
    queries,
)
from services.cases import record_outcome as outcomes
from services.cases.field_forms import bodies
from services.cases.field_forms.forms import BY_ID, FORMS, FormKind
from services.cases.field_forms.submissions import Submission
from services.cases.livelihoods import Step
from services.cases.ports import Ports, PostgresPersonalData


def occurred(submission: Submission, now: datetime) -> datetime:
    """When what the form records happened: when it was filled in (its `end`, else `start`).

    The one place a submission is dated: the act's time of every command it becomes (registered,
    consented, reached, delivered, observed: `occurred_at` or the act's own field, issue 25).
    """
    return submission.filled_at or now


def _may(principal: Principal, action: str, region: str) -> None:
    decision = decide(principal, action, ResourceScope(region=Region(region)))
    if not decision.allowed:
        raise Refused("forbidden", f"{action}: {decision.reason}", RefusalKind.FORBIDDEN)


async def _person_regions(conn: Connection, participant_id: uuid.UUID) -> list[str]:
    return await bulk_outreach.regions(conn, [participant_id])  # refuses an unknown person


async def apply(
    conn: Connection,
    keys: PersonalDataKeys,
    form_id: str,
    answers: dict[str, Any],
    principal: Principal,
    at: datetime,
    now: datetime,
    instance_id: str | None = None,
) -> dict[str, Any]:
    """The commands a form's answers stand for, in the caller's transaction; `Refused` if any
    is refused (the caller's savepoint undoes the others). `instance_id`, the submission's, names
    what it records once (a group activity)."""
    kind = BY_ID.get(form_id)
    if kind is None:
        raise Refused("unknown_form", f"no field form {form_id}", RefusalKind.INVALID)
    given = bodies.typed(FORMS[kind], answers)
    ports = Ports.postgres(conn)
    if kind is FormKind.REGISTRATION:
        person, consent = bodies.registration(given, at)
        _may(principal, "participant.register", person.region)
        personal = PostgresPersonalData(conn, keys)
        registered = await participant_commands.register_in(
            ports, personal, personal, person, principal, now
        )
        if consent is None:
            return registered.json()
        _may(principal, "consent.record", person.region)
        pid = registered.participant_id
        consented = await consent_commands.give(ports, pid, consent, principal, now)
        return {**registered.json(), **consented.json()}
    if kind is FormKind.SERVICES:
        case_id, delivery = bodies.services(given, at)
        case = await queries.case_row(conn, case_id)
        if case is None:
            raise Refused("case_not_found", "no such case", RefusalKind.NOT_FOUND)
        _may(principal, "service.deliver", case["region"])
        done = await case_commands.deliver_in(ports, case_id, delivery, principal, None, now)
        return done.json()
    if kind is FormKind.GROUP_ACTIVITY:
        activity = bodies.activity_id(instance_id) if instance_id else None
        held = bodies.group_activity(given, at, activity)
        _may(principal, group_activity_commands.ACTION, held.region)
        return (await group_activity_commands.recorded(ports, held, principal, now)).json()
    if kind is FormKind.OUTREACH:
        listed = bodies.outreach(given, at)
        _may(principal, "outreach.record", listed.region)
        reached = await participant_acts.reach_many(
            conn, ports, listed, principal, lambda r: _may(principal, "outreach.record", r), now
        )
        return reached.json()
    participant_id, outcome = bodies.livelihood(given, at)
    for region in await _person_regions(conn, participant_id):
        _may(principal, "livelihood.record", region)
    row = await queries.participant_row(conn, participant_id)
    outcome_id = new_id()
    recorded = await participant_acts.acted(
        ports, participant_id, "livelihood.outcome",
        lambda s, by, when: outcomes.decide(outcomes.RecordOutcome(
            Step(outcome.program, Region(row["region"]), by, outcome.observed_at, when),
            outcome_id, outcome.outcome,
        ), s),
        principal, now,
    )  # fmt: skip
    return recorded.json()


async def attempt(
    conn: Connection,
    keys: PersonalDataKeys,
    form_id: str,
    answers: dict[str, Any],
    principal: Principal,
    at: datetime,
    now: datetime,
    instance_id: str | None = None,
) -> dict[str, Any] | Refused:
    """`apply` under a savepoint: its answer, or the refusal with nothing of it written."""
    try:
        async with conn.transaction():
            return await apply(conn, keys, form_id, answers, principal, at, now, instance_id)
    except Refused as refusal:
        return refusal


def _key(instance_id: str) -> str:
    """The data key the answers of a submission in review are sealed under."""
    return f"field_submission:{instance_id}"


async def seal(conn: Connection, keys: PersonalDataKeys, instance_id: str,
               answers: dict[str, Any]) -> dict[str, str]:  # fmt: skip
    text = orjson.dumps(answers).decode()
    return await personal_data.cipher(conn, keys).encrypt(_key(instance_id), {"answers": text})


async def unseal(
    conn: Connection, keys: PersonalDataKeys, instance_id: str, sealed: dict[str, str]
) -> dict[str, Any]:
    opened = await personal_data.cipher(conn, keys).decrypt(_key(instance_id), sealed)
    return dict(orjson.loads(opened["answers"]))


async def shred(conn: Connection, keys: PersonalDataKeys, instance_id: str, at: datetime) -> None:
    """The answers kept for review can never be read again (applied or discarded) from `at`."""
    await personal_data.cipher(conn, keys).erase(_key(instance_id), at)


def outcome(row: Any) -> dict[str, Any]:
    """What the sender and the supervisor are told of a submission: ids and reasons only."""
    told = {"instance_id": row["instance_id"], "status": row["status"]}
    if row["status"] == "applied":
        told["applied"] = row["answer"]
    if row["rule"] is not None:
        told["rule"], told["reason"] = row["rule"], row["reason"]
    return told


@dataclass(frozen=True)
class Received:
    """What became of a submission (`outcome`: applied or in review), and whether this delivery
    was its first (a resent one changed nothing)."""

    outcome: dict[str, Any]
    first: bool


async def receive(
    conn: Connection,
    keys: PersonalDataKeys,
    submission: Submission,
    principal: Principal,
    now: datetime,
) -> Received:
    """Apply a submission once, or keep it for review; a resent one: its first outcome, nothing
    changed."""
    kept = await conn.fetchval(
        "INSERT INTO field_submissions (instance_id, form_id, source, enumerator, region,"
        " status, filled_at, received_at) VALUES ($1, $2, $3, $4, $5, 'received', $6, $7)"
        " ON CONFLICT (instance_id) DO NOTHING RETURNING instance_id",
        submission.instance_id, submission.form_id, submission.source.value,
        submission.enumerator, min(principal.regions), occurred(submission, now), now,
    )  # fmt: skip
    if kept is None:
        row = await conn.fetchrow(
            "SELECT * FROM field_submissions WHERE instance_id = $1", submission.instance_id
        )
        return Received(outcome(row), first=False)
    at = occurred(submission, now)
    done = await attempt(conn, keys, submission.form_id, submission.answers, principal, at, now,
                         submission.instance_id)  # fmt: skip
    if isinstance(done, Refused):
        sealed = await seal(conn, keys, submission.instance_id, submission.answers)
        row = await conn.fetchrow(
            "UPDATE field_submissions SET status = 'review', rule = $2, reason = $3, sealed = $4"
            " WHERE instance_id = $1 RETURNING *",
            submission.instance_id, done.rule, done.message, sealed,
        )  # fmt: skip
        return Received(outcome(row), first=True)
    row = await conn.fetchrow(
        "UPDATE field_submissions SET status = 'applied', answer = $2, decided_at = $3"
        " WHERE instance_id = $1 RETURNING *",
        submission.instance_id, done, now,
    )  # fmt: skip
    return Received(outcome(row), first=True)
