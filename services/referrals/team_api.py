"""HTTP routes of the referring team: refer, follow up, cancel, record a unit's answer."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
from fastapi import APIRouter, Request, Response

from access.audit import append as audit
from access.audit_chain import AuditRecord
from access.fastapi import CurrentPrincipal, authorize
from access.policy import ResourceScope
from access.principal import Principal, Region
from eventkit.dependencies import Clock, Pool
from eventkit.http import ExpectedVersion, IdempotencyKey, run_command
from program.known import KnownTerritory
from services.referrals import commands, queries
from services.referrals.answer import Evidence
from services.referrals.referral import Status
from services.referrals.requests import (
    CancelRequest,
    RecordedAccept,
    RecordedComplete,
    RecordedReject,
    ReferralRequest,
)
from services.referrals.requests import Evidence as EvidenceBody
from services.referrals.routing import (
    AppDeadlines,
    Master,
    answered,
    etag,
    referral_row,
    region_of,
    team_view,
)

router = APIRouter(tags=["referring team"])


@router.post("/referrals", status_code=201, summary="Refer a participant to a receiving unit")
async def request_referral(
    body: ReferralRequest, request: Request, principal: CurrentPrincipal,
    key: IdempotencyKey = None, *, clock: Clock, deadlines: AppDeadlines, master: Master,
) -> Response:  # fmt: skip
    authorize(principal, "referral.request", ResourceScope(region=Region(body.region)))
    command = answered(master, lambda conn, ports: commands.request(
        conn, ports, principal, body, clock(), deadlines, body.occurred_at))  # fmt: skip
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


@router.get("/referrals", summary="A region's referrals, newest first (filter by status)")
async def list_referrals(
    pool: Pool, principal: CurrentPrincipal, region: KnownTerritory, status: Status | None = None
) -> list[dict[str, Any]]:
    authorize(principal, "referral.read", ResourceScope(region=region))
    async with pool.acquire() as conn:
        rows = await queries.of_region(conn, region, status)
    await _audited(pool, principal, "referral.list", ("region", region))
    return [team_view(dict(r)) for r in rows]


@router.get("/referrals/overdue", summary="Overdue referrals of a region, for follow-up")
async def overdue_referrals(
    pool: Pool, principal: CurrentPrincipal, region: KnownTerritory
) -> list[dict[str, Any]]:
    authorize(principal, "referral.read", ResourceScope(region=region))
    async with pool.acquire() as conn:
        rows = await queries.overdue_of_region(conn, region)
    await _audited(pool, principal, "referral.list_overdue", ("region", region))
    return [team_view(dict(r)) for r in rows]


@router.get("/referrals/{referral_id}", summary="A referral as the referring team follows it")
async def read_referral(
    referral_id: uuid.UUID, pool: Pool, principal: CurrentPrincipal, response: Response
) -> dict[str, Any]:
    row = await _row(pool, referral_id)
    authorize(principal, "referral.read", region_of(row))
    await _audited(pool, principal, "referral.read", ("referral", str(referral_id)))
    response.headers["ETag"] = etag(row["version"])
    return team_view(row)


async def _row(pool: asyncpg.Pool, referral_id: uuid.UUID) -> dict[str, Any]:
    async with pool.acquire() as conn:
        return await referral_row(conn, referral_id)


async def _audited(
    pool: asyncpg.Pool, principal: Principal, action: str, resource: tuple[str, str]
) -> None:
    """A read of referrals (their reasons can reveal a GBV case) goes to the audit log."""
    async with pool.acquire() as conn, conn.transaction():
        await audit(conn, AuditRecord.by(principal, action, resource, "done"))


@router.post("/referrals/{referral_id}/cancel", summary="Withdraw a referral")
async def cancel_referral(
    referral_id: uuid.UUID, body: CancelRequest, request: Request, principal: CurrentPrincipal,
    expected: ExpectedVersion, key: IdempotencyKey = None,
    *, pool: Pool, clock: Clock, master: Master,
) -> Response:  # fmt: skip
    authorize(principal, "referral.cancel", region_of(await _row(pool, referral_id)))
    command = answered(master, lambda conn, ports: commands.cancel(
        conn, ports, principal, referral_id, body.reason, clock(), expected,
        body.occurred_at))  # fmt: skip
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


async def _on_behalf(pool: asyncpg.Pool, principal: Principal, referral_id: uuid.UUID) -> None:
    authorize(principal, "referral.record_answer", region_of(await _row(pool, referral_id)))


def _evidence(body: EvidenceBody) -> Evidence:
    return Evidence(body.answerer_role, body.channel, body.answered_at)


@router.post("/referrals/{referral_id}/accept", summary="Record a unit's acceptance for it")
async def record_accept(
    referral_id: uuid.UUID, body: RecordedAccept, request: Request, principal: CurrentPrincipal,
    expected: ExpectedVersion, key: IdempotencyKey = None,
    *, pool: Pool, clock: Clock, master: Master,
) -> Response:  # fmt: skip
    await _on_behalf(pool, principal, referral_id)
    command = answered(master, lambda conn, ports: commands.accept(
        conn, ports, principal, referral_id, clock(), _evidence(body.evidence),
        expected))  # fmt: skip
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


@router.post("/referrals/{referral_id}/reject", summary="Record a unit's rejection for it")
async def record_reject(
    referral_id: uuid.UUID, body: RecordedReject, request: Request, principal: CurrentPrincipal,
    expected: ExpectedVersion, key: IdempotencyKey = None,
    *, pool: Pool, clock: Clock, master: Master,
) -> Response:  # fmt: skip
    await _on_behalf(pool, principal, referral_id)
    command = answered(master, lambda conn, ports: commands.reject(
        conn, ports, principal, referral_id, body.reason, clock(), _evidence(body.evidence),
        expected))  # fmt: skip
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


@router.post("/referrals/{referral_id}/complete", summary="Record a unit's completion for it")
async def record_complete(
    referral_id: uuid.UUID, body: RecordedComplete, request: Request, principal: CurrentPrincipal,
    expected: ExpectedVersion, key: IdempotencyKey = None,
    *, pool: Pool, clock: Clock, master: Master,
) -> Response:  # fmt: skip
    await _on_behalf(pool, principal, referral_id)
    command = answered(master, lambda conn, ports: commands.complete(
        conn, ports, principal, referral_id, body.outcome, clock(), _evidence(body.evidence),
        expected))  # fmt: skip
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)
