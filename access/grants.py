"""Break-glass grants held by a service: opened over HTTP, loaded for each request, audited.

A supervisor posts a region, a written reason and a duration to `/break-glass` of the service
where access is needed; the grant is stored with the audit record (which alone keeps the reason)
in one transaction. While it is active, every request the supervisor makes to that service
carries the grant into `access.policy.decide` and is audited as a break-glass use. It expires by
itself: nothing has to revoke it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from fastapi import APIRouter, FastAPI, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from access.audit import append as audit
from access.audit_chain import AuditRecord
from access.break_glass import GrantRefused, open_break_glass
from access.fastapi import CurrentPrincipal
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
CREATE INDEX IF NOT EXISTS break_glass_active ON break_glass_grants (subject, expires_at);
"""


class BreakGlassRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "region": "tumbes",
                    "reason": "Covering the Tumbes team during an emergency intake tonight",
                    "minutes": 60,
                }
            ]
        },
    )

    region: Region
    reason: str = Field(min_length=20, max_length=500, description="Kept in the audit log only")
    minutes: int = Field(60, ge=1, le=480)


async def active_grants(pool: asyncpg.Pool, principal: Principal) -> list[BreakGlassGrant]:
    """The principal's grants in this service that have not expired."""
    rows = await pool.fetch(
        "SELECT grant_id, region, expires_at FROM break_glass_grants"
        " WHERE subject = $1 AND organization = $2 AND expires_at > now()",
        principal.subject,
        principal.organization_id,
    )
    return [BreakGlassGrant(r["grant_id"], Region(r["region"]), r["expires_at"]) for r in rows]


async def with_active_grants(request: Request, principal: Principal) -> Principal:
    """The principal holding its active grants; each request under a grant is audited."""
    pool = getattr(request.app.state, "pool", None)
    if pool is None or principal.role is not Role.SUPERVISOR:
        return principal
    grants = await active_grants(pool, principal)
    if not grants:
        return principal
    route = getattr(request.scope.get("route"), "path", request.url.path)
    ids = ",".join(g.grant_id for g in grants)
    async with pool.acquire() as conn, conn.transaction():
        record = AuditRecord.by(principal, "break_glass.use", ("route", route), "request", ids)
        await audit(conn, record)
    for grant in grants:
        principal = principal.with_grant(grant)
    return principal


def break_glass_router() -> APIRouter:
    """`POST /break-glass`, mounted by every service."""
    router = APIRouter(tags=["access"])

    @router.post("/break-glass", status_code=201, summary="Open time-limited access to a region")
    async def open_grant(
        body: BreakGlassRequest, request: Request, principal: CurrentPrincipal
    ) -> dict[str, Any]:
        try:
            opened = open_break_glass(
                principal, body.region, body.reason,
                now=datetime.now(UTC), duration=timedelta(minutes=body.minutes),
            )  # fmt: skip
        except GrantRefused as refused:
            raise HTTPException(403, refused.reason) from None
        grant = opened.grant
        async with request.app.state.pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "INSERT INTO break_glass_grants (grant_id, subject, organization, region,"
                " expires_at) VALUES ($1, $2, $3, $4, $5)",
                grant.grant_id, principal.subject, principal.organization_id,
                grant.region, grant.expires_at,
            )  # fmt: skip
            await audit(conn, opened.audit_record)
        return {
            "grant_id": grant.grant_id,
            "region": grant.region,
            "expires_at": grant.expires_at.isoformat(),
        }

    return router


def use_grants(app: FastAPI) -> None:
    """Mount the break-glass endpoint on `app`."""
    app.include_router(break_glass_router())
