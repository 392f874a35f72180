"""Break-glass: a supervisor's time-limited access to a region outside their own.

Opening one yields the grant (id, region, expiry: what tokens and `decide` see) and the audit
record that alone keeps the written reason. Each use of the grant is visible in `decide`'s
`Decision.grant_id`, for the service to audit too.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from access.audit_chain import AuditRecord
from access.principal import BreakGlassGrant, Principal, Region, Role

DEFAULT_DURATION = timedelta(hours=1)
MAX_DURATION = timedelta(hours=8)
"""At most one working day: longer needs would be a change of assignment, not an emergency."""
MIN_REASON_LENGTH = 20
"""Enough to force a sentence rather than "urgent"."""


class GrantRefused(ValueError):
    """Break-glass was refused; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class BreakGlass:
    """An opened grant and the audit record to append in the same transaction."""

    grant: BreakGlassGrant
    audit_record: AuditRecord


def open_break_glass(
    principal: Principal,
    region: Region,
    reason: str,
    *,
    now: datetime,
    duration: timedelta = DEFAULT_DURATION,
) -> BreakGlass:
    """Grant `principal` access to `region` until `now + duration`; raise `GrantRefused`."""
    if principal.role is not Role.SUPERVISOR:
        raise GrantRefused("only a supervisor can break the glass")
    if region in principal.regions:
        raise GrantRefused(f"region {region} is already the supervisor's own")
    if len(reason.strip()) < MIN_REASON_LENGTH:
        raise GrantRefused(f"a written reason of at least {MIN_REASON_LENGTH} characters is needed")
    if not timedelta(0) < duration <= MAX_DURATION:
        raise GrantRefused(f"the duration must be positive and at most {MAX_DURATION}")
    grant = BreakGlassGrant(uuid.uuid4().hex, region, now + duration)
    purpose = f"region {region} until {grant.expires_at.isoformat()}: {reason.strip()}"
    record = AuditRecord.by(
        principal, "break_glass.open", ("break_glass_grant", grant.grant_id), "granted", purpose
    )
    return BreakGlass(grant, record)


def grant_claim(grant: BreakGlassGrant) -> dict[str, Any]:
    """The grant as one entry of a token's `break_glass` claim (no reason: that stays audited)."""
    return {
        "id": grant.grant_id,
        "region": grant.region.value,
        "exp": int(grant.expires_at.timestamp()),
    }
