"""The service layer for consent: give and withdraw, each one transaction with its audit."""

from __future__ import annotations

import uuid

from access.actors import actor_id
from access.principal import Principal
from eventkit.aggregate import execute
from eventkit.clock import Now
from eventkit.idempotency import Answer, Command
from eventkit.ids import new_id
from eventkit.store import Connection
from services.cases import consent, views
from services.cases.participant import Participant, evolve
from services.cases.participant_commands import done
from services.cases.participant_requests import ConsentRequest, WithdrawRequest
from services.cases.staff import audit, surviving


def give_consent(
    asked_for: uuid.UUID, body: ConsentRequest, principal: Principal, *, clock: Now
) -> Command:
    """Consent recorded on a merged record's id lands on the surviving record."""

    async def run(conn: Connection) -> Answer:
        participant_id = await surviving(conn, asked_for)
        rule = consent.GiveConsent(
            new_id(),
            frozenset(body.purposes),
            body.given_by,
            actor_id(principal),
            clock(),
            frozenset(body.destinations),
        )
        decided = await execute(
            conn, str(participant_id), evolve, Participant(), lambda s: consent.give(rule, s)
        )
        await views.record(conn, decided.events, decided.appended.version)
        await audit(conn, principal, "consent.record", ("participant", participant_id))
        return Answer(201, {**done(participant_id, decided), "consent_id": str(rule.consent_id)})

    return run


def withdraw_consent(
    participant_id: uuid.UUID,
    consent_id: uuid.UUID,
    body: WithdrawRequest,
    principal: Principal,
    *,
    clock: Now,
) -> Command:
    async def run(conn: Connection) -> Answer:
        purposes = frozenset(body.purposes) if body.purposes is not None else None
        rule = consent.WithdrawConsent(
            consent_id, purposes, body.reason, actor_id(principal), clock()
        )
        decided = await execute(
            conn, str(participant_id), evolve, Participant(), lambda s: consent.withdraw(rule, s)
        )
        await views.record(conn, decided.events, decided.appended.version)
        await audit(conn, principal, "consent.record", ("participant", participant_id))
        return Answer(200, {**done(participant_id, decided), "consent_id": str(consent_id)})

    return run
