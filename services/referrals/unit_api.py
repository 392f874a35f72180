"""HTTP routes of a receiving unit, authenticated as itself: its referrals, and its answers.

Every path names the unit; the policy lets a `receiving_service` principal act only on its own
unit (403 otherwise), and a referral addressed to another unit is not found (404) under it.
"""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
from fastapi import APIRouter, HTTPException, Request, Response

from access.audit import append as audit
from access.audit_chain import AuditRecord
from access.fastapi import CurrentPrincipal, authorize
from access.policy import ResourceScope
from access.principal import Principal
from eventkit.dependencies import Pool
from eventkit.http import IdempotencyKey, run_command
from services.referrals import commands, shared_data
from services.referrals.referral import Status
from services.referrals.requests import CompleteRequest, RejectRequest, UnitReferralView
from services.referrals.routing import context

router = APIRouter(tags=["receiving unit"])

_VIEW = (
    "referral_id, unit_id, destination, region, assistance_type, reason, urgency, status,"
    " requested_at, respond_by"
)


def _own(principal: Principal, unit_id: uuid.UUID, action: str) -> None:
    authorize(principal, action, ResourceScope(unit_id=str(unit_id)))


async def _addressed(pool: asyncpg.Pool, unit_id: uuid.UUID, referral_id: uuid.UUID) -> None:
    found = await pool.fetchval(
        "SELECT 1 FROM referrals WHERE referral_id = $1 AND unit_id = $2", referral_id, unit_id
    )
    if found is None:
        raise HTTPException(404, {"rule": "referral_not_found", "message": "no such referral"})


@router.get("/units/{unit_id}/referrals", summary="The referrals addressed to this unit")
async def unit_referrals(
    unit_id: uuid.UUID, pool: Pool, principal: CurrentPrincipal, status: Status | None = None
) -> list[dict[str, Any]]:
    _own(principal, unit_id, "referral.list_own")
    async with pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(
            f"SELECT {_VIEW} FROM referrals WHERE unit_id = $1"  # noqa: S608
            " AND ($2::text IS NULL OR status = $2) ORDER BY requested_at DESC LIMIT 500",
            unit_id,
            status,
        )
        # The inbox names people referred for GBV care: its reads are audited.
        await audit(conn, AuditRecord.by(principal, "referral.list_own",
                                         ("unit", str(unit_id)), "done"))  # fmt: skip
    return [{k: str(v) if isinstance(v, uuid.UUID) else v for k, v in r.items()} for r in rows]


@router.get(
    "/units/{unit_id}/referrals/{referral_id}",
    summary="A referral addressed to this unit, with the shared minimum (audited read)",
)
async def unit_referral(
    unit_id: uuid.UUID,
    referral_id: uuid.UUID,
    request: Request,
    principal: CurrentPrincipal,
    *,
    pool: Pool,
) -> UnitReferralView:
    _own(principal, unit_id, "referral.list_own")
    master = context(request).master
    async with pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(
            f"SELECT {_VIEW} FROM referrals WHERE referral_id = $1 AND unit_id = $2",  # noqa: S608
            referral_id,
            unit_id,
        )
        if row is None:
            raise HTTPException(404, {"rule": "referral_not_found", "message": "no such referral"})
        shared = await shared_data.unseal(conn, master, referral_id)
        await audit(conn, AuditRecord.by(principal, "referral.read_shared",
                                         ("referral", str(referral_id)), "done"))  # fmt: skip
    return UnitReferralView(**dict(row), shared=shared)


@router.post("/units/{unit_id}/referrals/{referral_id}/accept", summary="Accept a referral")
async def accept(
    unit_id: uuid.UUID,
    referral_id: uuid.UUID,
    request: Request,
    principal: CurrentPrincipal,
    key: IdempotencyKey = None,
    *,
    pool: Pool,
) -> Response:
    _own(principal, unit_id, "referral.answer")
    await _addressed(pool, unit_id, referral_id)
    command = commands.accept(referral_id, principal, context(request))
    return await run_command(request, principal, key, {}, command)


@router.post("/units/{unit_id}/referrals/{referral_id}/reject", summary="Reject with a reason")
async def reject(
    unit_id: uuid.UUID,
    referral_id: uuid.UUID,
    body: RejectRequest,
    request: Request,
    principal: CurrentPrincipal,
    key: IdempotencyKey = None,
    *,
    pool: Pool,
) -> Response:
    _own(principal, unit_id, "referral.answer")
    await _addressed(pool, unit_id, referral_id)
    command = commands.reject(referral_id, body.reason, principal, context(request))
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


@router.post(
    "/units/{unit_id}/referrals/{referral_id}/complete", summary="Complete with an outcome"
)
async def complete(
    unit_id: uuid.UUID,
    referral_id: uuid.UUID,
    body: CompleteRequest,
    request: Request,
    principal: CurrentPrincipal,
    key: IdempotencyKey = None,
    *,
    pool: Pool,
) -> Response:
    _own(principal, unit_id, "referral.answer")
    await _addressed(pool, unit_id, referral_id)
    command = commands.complete(referral_id, body.outcome, principal, context(request))
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)
