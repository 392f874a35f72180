"""What staff do, as audit records see it; loading a participant for a rule (the actor id in
events is `access.actors.actor_id`)."""

from __future__ import annotations

import uuid

from access.audit import append
from access.audit_chain import AuditRecord
from access.principal import Principal
from eventkit.aggregate import load_stream
from eventkit.decider import fold
from eventkit.store import Connection
from services.cases.participant import Participant, evolve


async def audit(
    conn: Connection,
    principal: Principal,
    action: str,
    resource: tuple[str, uuid.UUID | str],
    purpose: str | None = None,
) -> None:
    """Append the audit record of a done action (last in the transaction: it takes a lock)."""
    kind, ident = resource
    record = AuditRecord.by(principal, action, (kind, str(ident)), "done", purpose)
    await append(conn, record)


async def participant(conn: Connection, participant_id: uuid.UUID) -> Participant:
    """The participant's current state, for rules of another aggregate (e.g. consent checks)."""
    history, _ = await load_stream(conn, str(participant_id))
    return fold(evolve, Participant(), history)


async def surviving(conn: Connection, participant_id: uuid.UUID) -> uuid.UUID:
    """The id commands should act on: a merged record redirects to the record it merged into."""
    seen = {participant_id}
    while True:
        into = await conn.fetchval(
            "SELECT merged_into FROM participants WHERE participant_id = $1", participant_id
        )
        if into is None or into in seen:
            return participant_id
        seen.add(into)
        participant_id = into
