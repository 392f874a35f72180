"""The service layer for consent: give and withdraw, each one transaction with its audit; each
returns what it recorded (`ConsentRecorded`)."""

from __future__ import annotations

import uuid
from datetime import datetime

from access.actors import actor_id
from access.late_entry import late_entry_note
from access.principal import Principal
from eventkit.aggregate import execute
from eventkit.field_time import configured
from eventkit.ids import new_id
from services.cases import give_consent as giving
from services.cases import withdraw_consent as withdrawal
from services.cases.participant import Participant, evolve
from services.cases.participant_requests import ConsentRequest, WithdrawRequest
from services.cases.ports import Ports
from services.cases.results import ConsentRecorded


async def give(
    ports: Ports, asked_for: uuid.UUID, body: ConsentRequest, principal: Principal, now: datetime
) -> ConsentRecorded:
    """Consent recorded on a merged record's id lands on the surviving record."""
    rules = configured()
    late = late_entry_note(principal, body.occurred_at, now, rules)
    participant_id = await ports.views.surviving(asked_for)
    rule = giving.GiveConsent(
        new_id(),
        frozenset(body.purposes),
        body.given_by,
        actor_id(principal),
        now,
        frozenset(body.destinations),
        body.occurred_at,
        rules,
    )
    decided = await execute(
        ports.store, str(participant_id), evolve, Participant(),
        lambda s: giving.decide(rule, s), now=now,
    )  # fmt: skip
    await ports.views.record(decided.events, decided.appended.version)
    await ports.audit.done(principal, "consent.record", ("participant", participant_id), late)
    return ConsentRecorded(
        participant_id, decided.appended.version, decided.position, rule.consent_id
    )


async def withdraw(
    ports: Ports,
    participant_id: uuid.UUID,
    consent_id: uuid.UUID,
    body: WithdrawRequest,
    principal: Principal,
    now: datetime,
) -> ConsentRecorded:
    rules = configured()
    late = late_entry_note(principal, body.occurred_at, now, rules)
    purposes = frozenset(body.purposes) if body.purposes is not None else None
    rule = withdrawal.WithdrawConsent(
        consent_id, purposes, body.reason, actor_id(principal), now, body.occurred_at, rules
    )
    decided = await execute(
        ports.store, str(participant_id), evolve, Participant(),
        lambda s: withdrawal.decide(rule, s), now=now
    )  # fmt: skip
    await ports.views.record(decided.events, decided.appended.version)
    await ports.audit.done(principal, "consent.record", ("participant", participant_id), late)
    return ConsentRecorded(participant_id, decided.appended.version, decided.position, consent_id)
