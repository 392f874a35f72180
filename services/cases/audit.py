"""What staff do, as audit records see it (the actor id in events is `access.actors.actor_id`)."""

from __future__ import annotations

import uuid

from access.audit import append
from access.audit_chain import AuditRecord
from access.principal import Principal
from eventkit.store import Connection


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
