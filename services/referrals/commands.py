"""The referrals service layer: each command is one transaction of rules, events, views, audit.

Each function loads the referral's stream, decides with its use case, appends, keeps the read
table and the audit log through `Ports`, and returns what happened (`Requested`, `Done`); the
routes turn that into an answer. `expected_version` is the client's `If-Match`: a stream that
moved on since is a `ConcurrencyConflict`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from access.actors import actor_id
from access.audit import append as audit
from access.audit_chain import AuditRecord
from access.late_entry import late_entry_note
from access.principal import Principal
from contracts.event import Event
from contracts.referrals import (
    ReferralCancellationReason,
    ReferralOutcome,
    ReferralRejectionReason,
)
from eventkit.aggregate import execute
from eventkit.decider import RefusalKind, Refused
from eventkit.field_time import FieldTimeRules, configured, is_late
from eventkit.ids import new_id
from eventkit.store import Connection, EventStore
from services.referrals import accept as accepting
from services.referrals import cancel as cancelling
from services.referrals import complete as completing
from services.referrals import directory, request_referral
from services.referrals import mark_overdue as overdue
from services.referrals import reject as rejecting
from services.referrals.answer import Answer, Evidence
from services.referrals.deadlines import Deadlines
from services.referrals.ports import Ports
from services.referrals.referral import Referral, Status, evolve
from services.referrals.requests import ReferralRequest

Store = EventStore | Connection


@dataclass(frozen=True)
class Requested:
    """A referral was requested: where it went, by when it is due, what was shared."""

    referral_id: uuid.UUID
    destination: str
    unit_id: uuid.UUID
    respond_by: datetime
    shared_fields: tuple[str, ...]
    version: int
    position: str | None


@dataclass(frozen=True)
class Done:
    """A referral moved on: its status and stream version now."""

    referral_id: uuid.UUID
    status: Status
    version: int
    position: str | None


async def request(
    store: Store,
    ports: Ports,
    principal: Principal,
    body: ReferralRequest,
    now: datetime,
    deadlines: Deadlines,
    occurred_at: datetime | None = None,
    rules: FieldTimeRules | None = None,
) -> Requested:
    """Refer a participant to a unit, sharing the minimum under a standing consent.

    `occurred_at` is when it was requested in the field (None: now); the deadline runs from it.
    """
    rules = rules or configured()
    late = late_entry_note(principal, occurred_at, now, rules)
    requested_at = occurred_at or now
    referral_id = new_id()
    unit = await ports.unit(body.unit_id)
    if not unit.active:
        raise Refused(
            "unit_inactive", f"{unit.name} no longer receives referrals", RefusalKind.INVALID
        )
    person = await ports.participant_in_reach(principal, "referral.request", body.participant_id)
    opened_at = await ports.case_in_reach(principal, "referral.request", body.case_id, person)
    participant_id = person.participant_id  # a merged record's survivor
    consent_id = await ports.standing_consent(participant_id, unit.destination, occurred_at)
    consented_at = None if consent_id is None else await ports.consent_given_at(consent_id)
    shared = body.shared.filled()
    command = request_referral.RequestReferral(
        referral_id, body.case_id, participant_id, unit.unit_id, unit.destination,
        body.assistance_type, body.urgency, body.region, consent_id, frozenset(shared),
        actor_id(principal), now,
        deadlines.respond_by(unit.destination, body.urgency, requested_at), occurred_at, rules,
        opened_at, consented_at, body.admin2,
    )  # fmt: skip
    decided = await execute(
        store, str(referral_id), evolve, Referral(),
        lambda s: request_referral.decide(command, s), now=now
    )  # fmt: skip
    await ports.record(decided.events, decided.appended.version, body.reason)
    assert consent_id is not None  # the rule refused otherwise
    await ports.seal(referral_id, participant_id, consent_id, shared)
    await ports.audit(AuditRecord.by(principal, "referral.request",
                                     ("referral", str(referral_id)), "done", late))  # fmt: skip
    return Requested(
        referral_id, unit.destination, unit.unit_id, command.respond_by, tuple(sorted(shared)),
        decided.appended.version, decided.position,
    )  # fmt: skip


async def accept(
    store: Store,
    ports: Ports,
    principal: Principal,
    referral_id: uuid.UUID,
    now: datetime,
    evidence: Evidence | None = None,
    expected_version: int | None = None,
    occurred_at: datetime | None = None,
    rules: FieldTimeRules | None = None,
) -> Done:
    """The unit (or a caseworker with evidence) accepts the referral."""
    answer = await _answer(ports, principal, referral_id, now, evidence, occurred_at, rules)
    command = accepting.Accept(answer)
    return await _transition(store, ports, principal, referral_id, _action("accept", evidence),
                             lambda s: accepting.decide(command, s), expected_version,
                             _late(principal, answer), now=now)  # fmt: skip


async def reject(
    store: Store,
    ports: Ports,
    principal: Principal,
    referral_id: uuid.UUID,
    reason: ReferralRejectionReason,
    now: datetime,
    evidence: Evidence | None = None,
    expected_version: int | None = None,
    occurred_at: datetime | None = None,
    rules: FieldTimeRules | None = None,
) -> Done:
    """The unit (or a caseworker with evidence) rejects the referral with a reason."""
    by = await _answer(ports, principal, referral_id, now, evidence, occurred_at, rules)
    command = rejecting.Reject(reason, by)
    return await _transition(store, ports, principal, referral_id, _action("reject", evidence),
                             lambda s: rejecting.decide(command, s), expected_version,
                             _late(principal, by), now=now)  # fmt: skip


async def complete(
    store: Store,
    ports: Ports,
    principal: Principal,
    referral_id: uuid.UUID,
    outcome: ReferralOutcome,
    now: datetime,
    evidence: Evidence | None = None,
    expected_version: int | None = None,
    occurred_at: datetime | None = None,
    rules: FieldTimeRules | None = None,
) -> Done:
    """The unit (or a caseworker with evidence) completes the referral with an outcome."""
    by = await _answer(ports, principal, referral_id, now, evidence, occurred_at, rules)
    command = completing.Complete(outcome, by)
    return await _transition(store, ports, principal, referral_id, _action("complete", evidence),
                             lambda s: completing.decide(command, s), expected_version,
                             _late(principal, by), now=now)  # fmt: skip


async def cancel(
    store: Store,
    ports: Ports,
    principal: Principal,
    referral_id: uuid.UUID,
    reason: ReferralCancellationReason,
    now: datetime,
    expected_version: int | None = None,
    occurred_at: datetime | None = None,
    rules: FieldTimeRules | None = None,
) -> Done:
    """The referring team withdraws the referral."""
    rules = rules or configured()
    late = late_entry_note(principal, occurred_at, now, rules)
    command = cancelling.Cancel(reason, actor_id(principal), now, occurred_at, rules)
    return await _transition(store, ports, principal, referral_id, "referral.cancel",
                             lambda s: cancelling.decide(command, s), expected_version,
                             late, now=now)  # fmt: skip


async def mark_overdue(store: Store, ports: Ports, referral_id: uuid.UUID, now: datetime) -> int:
    """Mark one referral overdue if it is past its deadline unanswered; how many events."""
    command = overdue.MarkOverdue(now)
    decided = await execute(
        store, str(referral_id), evolve, Referral(), lambda s: overdue.decide(command, s), now=now
    )
    await ports.record(decided.events, decided.appended.version)
    return len(decided.events)


async def add_unit(
    conn: Connection, principal: Principal, fields: dict[str, Any]
) -> dict[str, Any]:
    """Add a receiving unit to the directory (a plain table, no events), audited."""
    unit = await directory.add(conn, fields)
    resource = ("receiving_unit", str(unit["unit_id"]))
    await audit(conn, AuditRecord.by(principal, "directory.unit_added", resource, "done"))
    return unit


async def change_unit(
    conn: Connection, principal: Principal, unit_id: uuid.UUID, changes: dict[str, Any]
) -> dict[str, Any]:
    """Rename a unit or change its contact, account or activity, audited."""
    unit = await directory.update(conn, unit_id, changes)
    resource = ("receiving_unit", str(unit_id))
    await audit(conn, AuditRecord.by(principal, "directory.unit_changed", resource, "done"))
    return unit


async def _answer(
    ports: Ports,
    principal: Principal,
    referral_id: uuid.UUID,
    now: datetime,
    evidence: Evidence | None,
    occurred_at: datetime | None,
    rules: FieldTimeRules | None,
) -> Answer:
    """Who answers and when; an answer on a unit's behalf only for a unit without an account,
    or as a supervisor's late entry (what a unit answered long ago: its own account records
    only what it answers now)."""
    rules = rules or configured()
    if evidence is not None:
        unit = await ports.unit_of(referral_id)
        if (
            unit is not None
            and unit.has_system_account
            and is_late(evidence.answered_at, now, rules)
        ):
            # History: asked as every late entry is (403 to a role without `entry.late`).
            late_entry_note(principal, evidence.answered_at, now, rules)
        elif unit is not None and unit.has_system_account:
            raise Refused(
                "unit_answers_itself",
                f"{unit.name} has a system account: it answers through the API",
                RefusalKind.CONFLICT,
            )
    return Answer(actor_id(principal), now, evidence, occurred_at, rules)


def _late(principal: Principal, answer: Answer) -> str | None:
    """The late-entry note of an answer given long after the unit gave it (a supervisor's)."""
    return late_entry_note(principal, answer.given, answer.now, answer.rules)


async def _transition(
    store: Store,
    ports: Ports,
    principal: Principal,
    referral_id: uuid.UUID,
    action: str,
    decide: Callable[[Referral], Sequence[Event]],
    expected_version: int | None,
    late: str | None = None,
    *,
    now: datetime,
) -> Done:
    decided = await execute(
        store, str(referral_id), evolve, Referral(),
        decide, expected_version=expected_version, now=now,
    )  # fmt: skip
    await ports.record(decided.events, decided.appended.version)
    await ports.audit(AuditRecord.by(principal, action, ("referral", str(referral_id)),
                                     "done", late))  # fmt: skip
    return Done(referral_id, decided.state.status, decided.appended.version, decided.position)


def _action(verb: str, evidence: Evidence | None) -> str:
    return f"referral.{verb}" + ("_on_behalf" if evidence else "")
