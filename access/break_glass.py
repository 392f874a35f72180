"""Break-glass: a supervisor's time-limited access to a region outside their own.

Opening one yields the grant (id, region, expiry: what `decide` sees once the service loaded it
from its database) and the audit record that alone keeps the written reason. A grant exists only
as a row the service wrote through `POST /break-glass` (`access.grants`): no token claim grants
anything. Each use of the grant is visible in `decide`'s `Decision.grant_id`, for the service to
audit too.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from access.audit_chain import AuditRecord
from access.principal import BreakGlassGrant, Principal, Region, Role
from eventkit.decider import RefusalKind, Refused

DEFAULT_DURATION = timedelta(hours=1)
MAX_DURATION = timedelta(hours=8)
"""At most one working day: longer needs would be a change of assignment, not an emergency."""
MIN_REASON_LENGTH = 20
"""Enough to force a sentence rather than "urgent"."""
MIN_REASON_WORDS = 3
"""Different words of two letters or more: "aaaaaaaaaaaaaaaaaaaaaa" or "urgent urgent urgent
urgent" fill 20 characters but say nothing."""
DEFAULT_MAX_PER_DAY = 3
"""Grants one supervisor may open in any 24 hours (`PANA_BREAK_GLASS_MAX_PER_DAY`): emergencies
are rare; a supervisor who needs more is covering a region and should be assigned to it."""


class GrantRefused(Refused):
    """Break-glass was refused; `rule` names the rule, `reason` (the message) says why."""

    def __init__(self, rule: str, reason: str, kind: RefusalKind = RefusalKind.INVALID) -> None:
        super().__init__(rule, reason, kind)

    @property
    def reason(self) -> str:
        """Why the grant was refused, for people."""
        return self.message


@dataclass(frozen=True)
class BreakGlass:
    """An opened grant and the audit record to append in the same transaction."""

    grant: BreakGlassGrant
    audit_record: AuditRecord


def reason_problem(reason: str) -> str | None:
    """Why `reason` does not explain anything, or None when it reads as a sentence."""
    if len(reason.strip()) < MIN_REASON_LENGTH:
        return f"a written reason of at least {MIN_REASON_LENGTH} characters is needed"
    words = set("".join(c if c.isalpha() else " " for c in reason.lower()).split())
    if len({w for w in words if len(w) >= 2}) < MIN_REASON_WORDS:
        return f"the reason must be a sentence of at least {MIN_REASON_WORDS} different words"
    return None


def open_break_glass(
    principal: Principal,
    region: Region,
    reason: str,
    *,
    now: datetime,
    duration: timedelta = DEFAULT_DURATION,
    opened_today: int = 0,
    max_per_day: int = DEFAULT_MAX_PER_DAY,
) -> BreakGlass:
    """Grant `principal` access to `region` until `now + duration`; raise `GrantRefused`.

    `opened_today`: the grants the supervisor opened in the 24 hours before `now`.
    """
    if principal.role is not Role.SUPERVISOR:
        raise GrantRefused(
            "break_glass_role", "only a supervisor can break the glass", RefusalKind.FORBIDDEN
        )
    if region in principal.regions:
        raise GrantRefused(
            "break_glass_own_region",
            f"region {region} is already the supervisor's own",
            RefusalKind.FORBIDDEN,
        )
    problem = reason_problem(reason)
    if problem is not None:
        raise GrantRefused("break_glass_reason", problem)
    if not timedelta(0) < duration <= MAX_DURATION:
        raise GrantRefused(
            "break_glass_duration", f"the duration must be positive and at most {MAX_DURATION}"
        )
    if opened_today >= max_per_day:
        raise GrantRefused(
            "break_glass_daily_limit",
            f"at most {max_per_day} break-glass grants per supervisor in 24 hours",
        )
    grant = BreakGlassGrant(uuid.uuid4().hex, region, now + duration)
    purpose = f"region {region} until {grant.expires_at.isoformat()}: {reason.strip()}"
    record = AuditRecord.by(
        principal, "break_glass.open", ("break_glass_grant", grant.grant_id), "granted", purpose
    )
    return BreakGlass(grant, record)


def written_reason(purpose: str | None) -> str | None:
    """The reason kept in a `break_glass.open` audit record's purpose."""
    if purpose is None:
        return None
    _, found, reason = purpose.partition(": ")
    return reason if found else None
