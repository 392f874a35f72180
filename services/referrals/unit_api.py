"""HTTP routes of a receiving unit, authenticated as itself: its referrals, and its answers.

Every path names the unit; the policy lets a `receiving_service` principal act only on its own
unit (403 otherwise), and a referral addressed to another unit is not found (404) under it.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import asyncpg
from fastapi import APIRouter, Body, Request, Response

from access.audit import append as audit
from access.audit_chain import AuditRecord
from access.fastapi import CurrentPrincipal, authorize
from access.policy import ResourceScope
from access.principal import Principal
from eventkit.dependencies import Clock, Pool
from eventkit.http import ExpectedVersion, IdempotencyKey, run_command
from services.referrals import commands, queries, shared_data
from services.referrals.referral import Status
from services.referrals.requests import (
    AcceptRequest,
    CompleteRequest,
    RejectRequest,
    UnitReferralView,
)
from services.referrals.routing import Master, answered, not_found

router = APIRouter(tags=["receiving unit"])


def _own(principal: Principal, unit_id: uuid.UUID, action: str) -> None:
    authorize(principal, action, ResourceScope(unit_id=str(unit_id)))


async def _addressed(pool: asyncpg.Pool, unit_id: uuid.UUID, referral_id: uuid.UUID) -> None:
    async with pool.acquire() as conn:
        if not await queries.addressed(conn, unit_id, referral_id):
            raise not_found()


@router.get("/units/{unit_id}/referrals", summary="The referrals addressed to this unit")
async def unit_referrals(
    unit_id: uuid.UUID, pool: Pool, principal: CurrentPrincipal, status: Status | None = None
) -> list[dict[str, Any]]:
    _own(principal, unit_id, "referral.list_own")
    async with pool.acquire() as conn, conn.transaction():
        rows = await queries.inbox(conn, unit_id, status)
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
    principal: CurrentPrincipal,
    *,
    pool: Pool,
    master: Master,
) -> UnitReferralView:
    _own(principal, unit_id, "referral.list_own")
    async with pool.acquire() as conn, conn.transaction():
        row = await queries.at_unit(conn, unit_id, referral_id)
        if row is None:
            raise not_found()
        shared = await shared_data.unseal(conn, master, referral_id)
        await audit(conn, AuditRecord.by(principal, "referral.read_shared",
                                         ("referral", str(referral_id)), "done"))  # fmt: skip
    return UnitReferralView(**row, shared=shared)


@router.post("/units/{unit_id}/referrals/{referral_id}/accept", summary="Accept a referral")
async def accept(
    unit_id: uuid.UUID, referral_id: uuid.UUID, request: Request, principal: CurrentPrincipal,
    expected: ExpectedVersion, key: IdempotencyKey = None,
    *, body: Annotated[AcceptRequest, Body(default_factory=AcceptRequest)],
    pool: Pool, clock: Clock, master: Master,
) -> Response:  # fmt: skip
    _own(principal, unit_id, "referral.answer")
    await _addressed(pool, unit_id, referral_id)
    command = answered(master, lambda conn, ports: commands.accept(
        conn, ports, principal, referral_id, clock(), expected_version=expected,
        occurred_at=body.occurred_at))  # fmt: skip
    payload = body.model_dump(mode="json", exclude_none=True)
    return await run_command(request, principal, key, payload, command)


@router.post("/units/{unit_id}/referrals/{referral_id}/reject", summary="Reject with a reason")
async def reject(
    unit_id: uuid.UUID, referral_id: uuid.UUID, body: RejectRequest, request: Request,
    principal: CurrentPrincipal, expected: ExpectedVersion, key: IdempotencyKey = None,
    *, pool: Pool, clock: Clock, master: Master,
) -> Response:  # fmt: skip
    _own(principal, unit_id, "referral.answer")
    await _addressed(pool, unit_id, referral_id)
    command = answered(master, lambda conn, ports: commands.reject(
        conn, ports, principal, referral_id, body.reason, clock(),
        expected_version=expected, occurred_at=body.occurred_at))  # fmt: skip
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


@router.post(
    "/units/{unit_id}/referrals/{referral_id}/complete", summary="Complete with an outcome"
)
async def complete(
    unit_id: uuid.UUID, referral_id: uuid.UUID, body: CompleteRequest, request: Request,
    principal: CurrentPrincipal, expected: ExpectedVersion, key: IdempotencyKey = None,
    *, pool: Pool, clock: Clock, master: Master,
) -> Response:  # fmt: skip
    _own(principal, unit_id, "referral.answer")
    await _addressed(pool, unit_id, referral_id)
    command = answered(master, lambda conn, ports: commands.complete(
        conn, ports, principal, referral_id, body.outcome, clock(),
        expected_version=expected, occurred_at=body.occurred_at))  # fmt: skip
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)
