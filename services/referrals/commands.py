"""The referrals service layer: each command is one transaction of rules, events, views, audit."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from access.actors import actor_id
from access.audit import append as audit
from access.audit_chain import AuditRecord
from access.crypto import MasterKey
from access.principal import Principal
from contracts.event import Event
from contracts.referrals import (
    ReferralCancellationReason,
    ReferralOutcome,
    ReferralRejectionReason,
)
from eventkit.aggregate import execute
from eventkit.decider import RefusalKind, Refused
from eventkit.idempotency import Answer, Command
from eventkit.ids import new_id
from eventkit.store import Connection
from roster.reach import case_in_reach, participant_in_reach
from services.referrals import answer, directory, shared_data, views
from services.referrals.cancel import cancel as cancel_rule
from services.referrals.consent import standing_consent
from services.referrals.deadlines import Deadlines
from services.referrals.referral import Referral, evolve
from services.referrals.request_referral import RequestReferral
from services.referrals.request_referral import request as request_rule
from services.referrals.requests import Evidence, ReferralRequest

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Context:
    """What commands need besides the request: the clock, the deadlines, the master key."""

    clock: Clock
    deadlines: Deadlines
    master: MasterKey


def request(body: ReferralRequest, principal: Principal, ctx: Context) -> Command:
    """Refer a participant to a unit, sharing the minimum under a standing consent."""

    async def run(conn: Connection) -> Answer:
        referral_id, now = new_id(), ctx.clock()
        unit = await directory.find(conn, body.unit_id)
        if not unit.active:
            raise Refused(
                "unit_inactive", f"{unit.name} no longer receives referrals", RefusalKind.INVALID
            )
        person = await participant_in_reach(conn, principal, "referral.request",
                                            body.participant_id)  # fmt: skip
        await case_in_reach(conn, principal, "referral.request", body.case_id, person)
        participant_id = person.participant_id  # a merged record's survivor
        consent_id = await standing_consent(conn, participant_id, unit.destination)
        shared = body.shared.filled()
        rule = RequestReferral(
            referral_id, body.case_id, participant_id, unit.unit_id, unit.destination,
            body.assistance_type, body.urgency, body.region, consent_id, frozenset(shared),
            actor_id(principal), now, ctx.deadlines.respond_by(unit.destination, body.urgency, now),
        )  # fmt: skip
        decided = await execute(
            conn, str(referral_id), evolve, Referral(), lambda s: request_rule(rule, s)
        )
        await views.record(conn, decided.events, decided.appended.version, body.reason)
        assert consent_id is not None  # the rule refused otherwise
        await shared_data.seal(conn, ctx.master, referral_id, participant_id, consent_id, shared)
        await audit(conn, AuditRecord.by(principal, "referral.request",
                                         ("referral", str(referral_id)), "done"))  # fmt: skip
        return Answer(
            201,
            {
                "referral_id": str(referral_id),
                "destination": unit.destination,
                "unit_id": str(unit.unit_id),
                "status": "requested",
                "respond_by": rule.respond_by.isoformat(),
                "shared_fields": sorted(shared),
                "version": decided.appended.version,
                "position": decided.position,
            },
        )

    return run


def _transition(
    referral_id: uuid.UUID,
    principal: Principal,
    action: str,
    decide: Callable[[Referral], Sequence[Event]],
) -> Command:
    async def run(conn: Connection) -> Answer:
        decided = await execute(conn, str(referral_id), evolve, Referral(), decide)
        await views.record(conn, decided.events, decided.appended.version)
        await audit(conn, AuditRecord.by(principal, action, ("referral", str(referral_id)),
                                         "done"))  # fmt: skip
        status = await conn.fetchval(
            "SELECT status FROM referrals WHERE referral_id = $1", referral_id
        )
        return Answer(
            200,
            {
                "referral_id": str(referral_id),
                "status": status,
                "version": decided.appended.version,
                "position": decided.position,
            },
        )

    return run


def _by(principal: Principal, ctx: Context, evidence: Evidence | None) -> answer.Answer:
    proof = (
        answer.Evidence(evidence.answerer_role, evidence.channel, evidence.answered_at)
        if evidence
        else None
    )
    return answer.Answer(actor_id(principal), ctx.clock(), proof)


def accept(
    referral_id: uuid.UUID, principal: Principal, ctx: Context, evidence: Evidence | None = None
) -> Command:
    """The unit (or a caseworker with evidence) accepts the referral."""
    by = _by(principal, ctx, evidence)
    return _transition(referral_id, principal, _action("accept", evidence),
                       lambda s: answer.accept(s, by))  # fmt: skip


def reject(
    referral_id: uuid.UUID,
    reason: ReferralRejectionReason,
    principal: Principal,
    ctx: Context,
    evidence: Evidence | None = None,
) -> Command:
    """The unit (or a caseworker with evidence) rejects the referral with a reason."""
    by = _by(principal, ctx, evidence)
    return _transition(referral_id, principal, _action("reject", evidence),
                       lambda s: answer.reject(s, reason, by))  # fmt: skip


def complete(
    referral_id: uuid.UUID,
    outcome: ReferralOutcome,
    principal: Principal,
    ctx: Context,
    evidence: Evidence | None = None,
) -> Command:
    """The unit (or a caseworker with evidence) completes the referral with an outcome."""
    by = _by(principal, ctx, evidence)
    return _transition(referral_id, principal, _action("complete", evidence),
                       lambda s: answer.complete(s, outcome, by))  # fmt: skip


def cancel(
    referral_id: uuid.UUID,
    reason: ReferralCancellationReason,
    principal: Principal,
    ctx: Context,
) -> Command:
    """The referring team withdraws the referral."""
    by, now = actor_id(principal), ctx.clock()
    return _transition(referral_id, principal, "referral.cancel",
                       lambda s: cancel_rule(s, reason, by, now))  # fmt: skip


def _action(verb: str, evidence: Evidence | None) -> str:
    return f"referral.{verb}" + ("_on_behalf" if evidence else "")
