"""`POST /break-glass` and `GET /break-glass/grants`: a supervisor opens a grant, supervisors and
administrators review them (`access.grants` loads the active ones for each request)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

import asyncpg
from fastapi import APIRouter, FastAPI, Query
from pydantic import BaseModel, ConfigDict, Field

from access.audit import append as audit
from access.audit_chain import AuditRecord
from access.break_glass import GrantRefused, open_break_glass, written_reason
from access.fastapi import CurrentPrincipal, authorize
from access.grants import BreakGlassSettings
from access.policy import ResourceScope
from access.principal import BreakGlassGrant, Principal, Region, Role
from eventkit.decider import RefusalKind
from eventkit.dependencies import Clock, Pool
from eventkit.http import refused as refusal_answer
from program.known import example


class BreakGlassRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "region": example("territory", 3),
                    "reason": "Covering the border team during an emergency intake tonight",
                    "minutes": 60,
                }
            ]
        },
    )

    region: Region
    reason: str = Field(
        min_length=20,
        max_length=500,
        description="A sentence (3 different words at least); kept in the audit log only",
    )
    minutes: int = Field(60, ge=1, le=480, description="At most 8 hours")


async def _open(
    pool: asyncpg.Pool,
    principal: Principal,
    body: BreakGlassRequest,
    max_per_day: int,
    now: datetime,
) -> BreakGlassGrant:
    async with pool.acquire() as conn, conn.transaction():
        # One supervisor's openings are serialised, so racing requests cannot pass the cap.
        who = f"{principal.organization_id}/{principal.subject}"
        await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 7))", who)
        opened_today = await conn.fetchval(
            "SELECT count(*) FROM break_glass_grants WHERE subject = $1 AND organization = $2"
            " AND opened_at > now() - interval '24 hours'",
            principal.subject,
            principal.organization_id,
        )
        opened = open_break_glass(
            principal, body.region, body.reason, now=now,
            duration=timedelta(minutes=body.minutes),
            opened_today=int(opened_today), max_per_day=max_per_day,
        )  # fmt: skip
        grant = opened.grant
        await conn.execute(
            "INSERT INTO break_glass_grants (grant_id, subject, organization, region,"
            " expires_at) VALUES ($1, $2, $3, $4, $5)",
            grant.grant_id, principal.subject, principal.organization_id,
            grant.region, grant.expires_at,
        )  # fmt: skip
        await audit(conn, opened.audit_record)
    return grant


async def _refusal_audited(pool: asyncpg.Pool, principal: Principal, refused: GrantRefused) -> None:
    # Its own transaction: the opening's rolled back. The rule only: a refused reason may be junk.
    record = AuditRecord.by(
        principal, "break_glass.open", ("break_glass_grant", "-"), "refused", refused.rule
    )
    async with pool.acquire() as conn, conn.transaction():
        await audit(conn, record)


def _may_read_reason(principal: Principal, region: Region) -> bool:
    """The reason is for the region's own supervisors and administrators (the DPO)."""
    if principal.role is Role.ADMINISTRATOR:
        return True
    return principal.role is Role.SUPERVISOR and region in principal.regions


_REVIEW = """
SELECT g.grant_id, g.subject, g.organization, g.region, g.opened_at, g.expires_at, g.uses,
       g.last_used_at,
       (SELECT purpose FROM audit_log a WHERE a.action = 'break_glass.open'
            AND a.resource_type = 'break_glass_grant' AND a.resource_id = g.grant_id
        UNION ALL
        SELECT purpose FROM audit_inbox i WHERE i.action = 'break_glass.open'
            AND i.resource_type = 'break_glass_grant' AND i.resource_id = g.grant_id
        LIMIT 1) AS opening
FROM break_glass_grants g
WHERE ($1::text IS NULL OR g.region = $1) AND g.opened_at > now() - make_interval(days => $2)
ORDER BY g.opened_at DESC, g.grant_id
LIMIT $3
"""


def break_glass_router(settings: BreakGlassSettings) -> APIRouter:
    """`POST /break-glass` and `GET /break-glass/grants`, mounted by every service."""
    router = APIRouter(tags=["access"])

    @router.post("/break-glass", status_code=201, summary="Open time-limited access to a region")
    async def open_grant(
        body: BreakGlassRequest, principal: CurrentPrincipal, pool: Pool, clock: Clock
    ) -> dict[str, Any]:
        try:
            grant = await _open(pool, principal, body, settings.max_per_day, clock())
        except GrantRefused as refused:
            if refused.kind is not RefusalKind.FORBIDDEN:  # audited by the refusal handler
                await _refusal_audited(pool, principal, refused)
            raise refusal_answer(refused) from None
        return {
            "grant_id": grant.grant_id,
            "region": grant.region,
            "expires_at": grant.expires_at.isoformat(),
        }

    @router.get(
        "/break-glass/grants",
        summary="Review break-glass grants: who, where, when, until when, used (audited)",
    )
    async def review(
        principal: CurrentPrincipal,
        pool: Pool,
        clock: Clock,
        region: Region | None = None,
        days: Annotated[int, Query(ge=1, le=366)] = 30,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> dict[str, Any]:
        """The reason shows only to the grant region's supervisors and administrators."""
        authorize(principal, "break_glass.review", ResourceScope(region=region))
        async with pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(_REVIEW, region, days, limit)
            await audit(
                conn,
                AuditRecord.by(
                    principal, "break_glass.review", ("break_glass_grants", region or "all"), "done"
                ),
            )
        now = clock()
        grants = []
        for row in rows:
            where = Region(row["region"])
            grants.append({
                "grant_id": row["grant_id"], "subject": row["subject"],
                "organization": row["organization"], "region": where,
                "opened_at": row["opened_at"].isoformat(),
                "expires_at": row["expires_at"].isoformat(),
                "active": row["expires_at"] > now, "used": row["uses"] > 0, "uses": row["uses"],
                "last_used_at": row["last_used_at"] and row["last_used_at"].isoformat(),
                "reason": written_reason(row["opening"])
                if _may_read_reason(principal, where) else None,
            })  # fmt: skip
        return {"grants": grants}

    return router


def use_grants(app: FastAPI) -> None:
    """Mount the break-glass endpoints on `app`."""
    app.include_router(break_glass_router(BreakGlassSettings()))
