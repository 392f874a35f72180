"""Break-glass grants held by a service: opened over HTTP, loaded for each request, audited.

A supervisor posts a region, a written reason and a duration to `/break-glass` of the service
where access is needed; the grant is stored with the audit record (which alone keeps the reason)
in one transaction. This table is the only source of grants: a token's `break_glass` claim is
ignored. While a grant is active, every request the supervisor makes to that service carries it
into `access.policy.decide` and is audited as a break-glass use (lists included), with the grant
ids as purpose. It expires by itself: nothing has to revoke it. At most
`PANA_BREAK_GLASS_MAX_PER_DAY` (3) grants per supervisor in any 24 hours; supervisors and
administrators review them at `GET /break-glass/grants`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import asyncpg
from fastapi import Request
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from access.audit import append as audit
from access.audit_chain import AuditRecord
from access.break_glass import DEFAULT_MAX_PER_DAY
from access.principal import BreakGlassGrant, Principal, Region, Role

GRANTS_DDL = """
CREATE TABLE IF NOT EXISTS break_glass_grants (
    grant_id      text PRIMARY KEY,
    subject       text NOT NULL,
    organization  text NOT NULL,
    region        text NOT NULL,
    expires_at    timestamptz NOT NULL,
    opened_at     timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE break_glass_grants ADD COLUMN IF NOT EXISTS uses integer NOT NULL DEFAULT 0;
ALTER TABLE break_glass_grants ADD COLUMN IF NOT EXISTS last_used_at timestamptz;
CREATE INDEX IF NOT EXISTS break_glass_active ON break_glass_grants (subject, expires_at);
CREATE INDEX IF NOT EXISTS break_glass_opened ON break_glass_grants (opened_at);
"""


class BreakGlassSettings(BaseSettings):
    """`PANA_BREAK_GLASS_*`: how many grants one supervisor may open in any 24 hours."""

    model_config = SettingsConfigDict(env_prefix="PANA_BREAK_GLASS_", extra="ignore")

    max_per_day: int = Field(DEFAULT_MAX_PER_DAY, ge=1, le=24)


async def active_grants(
    pool: asyncpg.Pool, principal: Principal, now: datetime
) -> list[BreakGlassGrant]:
    """The principal's grants in this service that have not expired at `now` (the app's clock,
    which also dated them when they were opened)."""
    rows = await pool.fetch(
        "SELECT grant_id, region, expires_at FROM break_glass_grants"
        " WHERE subject = $1 AND organization = $2 AND expires_at > $3",
        principal.subject,
        principal.organization_id,
        now,
    )
    return [BreakGlassGrant(r["grant_id"], Region(r["region"]), r["expires_at"]) for r in rows]


async def with_active_grants(request: Request, principal: Principal, now: datetime) -> Principal:
    """The principal holding its grants active at `now`, as of `now` (`Principal.as_of`);
    each request under a grant is audited.

    The record (`break_glass.use`, the method and path, ids only, as resource; the grant ids as
    purpose) commits before the request runs, so a read under a grant, a list included, is
    never unrecorded; the grant's use count feeds the review list.
    """
    principal = replace(principal, as_of=now)
    pool = getattr(request.app.state, "pool", None)
    if pool is None or principal.role is not Role.SUPERVISOR:
        return principal
    grants = await active_grants(pool, principal, now)
    if not grants:
        return principal
    ids = [g.grant_id for g in grants]
    target = f"{request.method} {request.url.path}"
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(
            "UPDATE break_glass_grants SET uses = uses + 1, last_used_at = now()"
            " WHERE grant_id = ANY($1::text[])",
            ids,
        )
        record = AuditRecord.by(
            principal, "break_glass.use", ("request", target), "request", ",".join(ids)
        )
        await audit(conn, record)
    for grant in grants:
        principal = principal.with_grant(grant)
    return principal
