"""HTTP routes of the referring team: refer, follow up, cancel, record a unit's answer."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
from fastapi import APIRouter, HTTPException, Request, Response

from access.audit import append as audit
from access.audit_chain import AuditRecord
from access.fastapi import CurrentPrincipal, authorize
from access.policy import ResourceScope
from access.principal import Principal, Region
from eventkit.dependencies import Pool
from eventkit.http import IdempotencyKey, run_command
from services.referrals import commands
from services.referrals.referral import Status
from services.referrals.requests import (
    CancelRequest,
    RecordedAccept,
    RecordedComplete,
    RecordedReject,
    ReferralRequest,
)
from services.referrals.routing import context, referral_row, region_of, team_view

router = APIRouter(tags=["referring team"])


@router.post("/referrals", status_code=201, summary="Refer a participant to a receiving unit")
async def request_referral(
    body: ReferralRequest, request: Request, principal: CurrentPrincipal, key: IdempotencyKey = None
) -> Response:
    authorize(principal, "referral.request", ResourceScope(region=Region(body.region)))
    command = commands.request(body, principal, context(request))
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


@router.get("/referrals", summary="A region's referrals, newest first (filter by status)")
async def list_referrals(
    pool: Pool, principal: CurrentPrincipal, region: Region, status: Status | None = None
) -> list[dict[str, Any]]:
    authorize(principal, "referral.read", ResourceScope(region=region))
    rows = await pool.fetch(
        "SELECT r.*, u.name AS unit_name FROM referrals r JOIN receiving_units u USING (unit_id)"
        " WHERE r.region = $1 AND ($2::text IS NULL OR r.status = $2)"
        " ORDER BY r.requested_at DESC LIMIT 500",
        region,
        status,
    )
    await _audited(pool, principal, "referral.list", ("region", region))
    return [team_view(dict(r)) for r in rows]


@router.get("/referrals/overdue", summary="Overdue referrals of a region, for follow-up")
async def overdue_referrals(
    pool: Pool, principal: CurrentPrincipal, region: Region
) -> list[dict[str, Any]]:
    authorize(principal, "referral.read", ResourceScope(region=region))
    rows = await pool.fetch(
        "SELECT r.*, u.name AS unit_name FROM referrals r JOIN receiving_units u USING (unit_id)"
        " WHERE r.region = $1 AND r.status = 'overdue' ORDER BY r.respond_by LIMIT 500",
        region,
    )
    await _audited(pool, principal, "referral.list_overdue", ("region", region))
    return [team_view(dict(r)) for r in rows]


@router.get("/referrals/{referral_id}", summary="A referral as the referring team follows it")
async def read_referral(
    referral_id: uuid.UUID, pool: Pool, principal: CurrentPrincipal
) -> dict[str, Any]:
    row = await referral_row(pool, referral_id)
    authorize(principal, "referral.read", region_of(row))
    await _audited(pool, principal, "referral.read", ("referral", str(referral_id)))
    return team_view(row)


async def _audited(
    pool: asyncpg.Pool, principal: Principal, action: str, resource: tuple[str, str]
) -> None:
    """A read of referrals (their reasons can reveal a GBV case) goes to the audit log."""
    async with pool.acquire() as conn, conn.transaction():
        await audit(conn, AuditRecord.by(principal, action, resource, "done"))


@router.post("/referrals/{referral_id}/cancel", summary="Withdraw a referral")
async def cancel_referral(
    referral_id: uuid.UUID,
    body: CancelRequest,
    request: Request,
    principal: CurrentPrincipal,
    key: IdempotencyKey = None,
    *,
    pool: Pool,
) -> Response:
    authorize(principal, "referral.cancel", region_of(await referral_row(pool, referral_id)))
    command = commands.cancel(referral_id, body.reason, principal, context(request))
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


async def _on_behalf(
    pool: asyncpg.Pool, principal: CurrentPrincipal, referral_id: uuid.UUID
) -> None:
    row = await referral_row(pool, referral_id)
    authorize(principal, "referral.record_answer", region_of(row))
    if row["has_system_account"]:
        raise HTTPException(
            409,
            {"rule": "unit_answers_itself",
             "message": f"{row['unit_name']} has a system account: it answers through the API"},
        )  # fmt: skip


@router.post("/referrals/{referral_id}/accept", summary="Record a unit's acceptance for it")
async def record_accept(
    referral_id: uuid.UUID,
    body: RecordedAccept,
    request: Request,
    principal: CurrentPrincipal,
    key: IdempotencyKey = None,
    *,
    pool: Pool,
) -> Response:
    await _on_behalf(pool, principal, referral_id)
    command = commands.accept(referral_id, principal, context(request), body.evidence)
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


@router.post("/referrals/{referral_id}/reject", summary="Record a unit's rejection for it")
async def record_reject(
    referral_id: uuid.UUID,
    body: RecordedReject,
    request: Request,
    principal: CurrentPrincipal,
    key: IdempotencyKey = None,
    *,
    pool: Pool,
) -> Response:
    await _on_behalf(pool, principal, referral_id)
    command = commands.reject(referral_id, body.reason, principal, context(request), body.evidence)
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


@router.post("/referrals/{referral_id}/complete", summary="Record a unit's completion for it")
async def record_complete(
    referral_id: uuid.UUID,
    body: RecordedComplete,
    request: Request,
    principal: CurrentPrincipal,
    key: IdempotencyKey = None,
    *,
    pool: Pool,
) -> Response:
    await _on_behalf(pool, principal, referral_id)
    ctx = context(request)
    command = commands.complete(referral_id, body.outcome, principal, ctx, body.evidence)
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)
