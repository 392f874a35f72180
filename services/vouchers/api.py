"""HTTP routes of the vouchers service: caseworkers issue, supervisors approve, clinics redeem."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import asyncpg
from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse

from access.audit import append as audit
from access.audit_chain import AuditRecord
from access.fastapi import CurrentPrincipal, authorize
from access.policy import ResourceScope
from access.principal import Principal, Region
from contracts.scalars import PlausibleQueryDateTime, plausible_date
from eventkit.dependencies import Clock, Pool, app_settings
from eventkit.http import IdempotencyKey, RequiredIdempotencyKey, refused, run_command
from eventkit.ids import new_id
from services.vouchers import commands, reconciliation
from services.vouchers.code import new_code, normalize, qr_payload
from services.vouchers.requests import (
    BudgetRequest,
    CancelRequest,
    ClinicView,
    IssueRequest,
    LookupRequest,
    ProviderRequest,
    RedeemRequest,
    ReverseRequest,
)

router = APIRouter(tags=["vouchers"])


async def _voucher_scope(pool: asyncpg.Pool, voucher_id: uuid.UUID) -> tuple[ResourceScope, Any]:
    row = await pool.fetchrow(
        "SELECT region, provider_id::text FROM vouchers WHERE voucher_id = $1", voucher_id
    )
    if row is None:
        raise HTTPException(404, {"rule": "voucher_not_found", "message": "no such voucher"})
    return ResourceScope(region=Region(row["region"]), provider_id=row["provider_id"]), row


@router.post("/vouchers", status_code=201, summary="Issue a voucher to a participant")
async def issue_voucher(
    body: IssueRequest,
    request: Request,
    principal: CurrentPrincipal,
    key: IdempotencyKey = None,
    *,
    clock: Clock,
) -> Response:
    authorize(principal, "voucher.issue", ResourceScope(region=Region(body.region)))
    settings = app_settings(request)
    command = commands.issue(body, principal, new_code(), settings.standard_cap_pen, clock=clock)
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


@router.get("/vouchers/{voucher_id}", summary="A voucher as the case team sees it")
async def read_voucher(
    voucher_id: uuid.UUID, pool: Pool, principal: CurrentPrincipal
) -> dict[str, Any]:
    scope, _ = await _voucher_scope(pool, voucher_id)
    decision = authorize(principal, "voucher.read", ResourceScope(region=scope.region))
    row: Any = await pool.fetchrow("SELECT * FROM vouchers WHERE voucher_id = $1", voucher_id)
    resource = ("voucher", str(voucher_id))
    await _audit_read(pool, principal, "voucher.read", resource, purpose=decision.grant_id)
    return {**_plain(dict(row)), "qr_payload": qr_payload(row["code"])}


@router.post("/vouchers/{voucher_id}/approve", summary="Approve a voucher above the standard cap")
async def approve_voucher(
    voucher_id: uuid.UUID,
    request: Request,
    principal: CurrentPrincipal,
    key: IdempotencyKey = None,
    *,
    clock: Clock,
    pool: Pool,
) -> Response:
    scope, _ = await _voucher_scope(pool, voucher_id)
    authorize(principal, "voucher.approve", scope)
    return await run_command(
        request, principal, key, {}, commands.approve(voucher_id, principal, clock=clock)
    )


@router.post("/vouchers/{voucher_id}/cancel", summary="Cancel an unredeemed voucher")
async def cancel_voucher(
    voucher_id: uuid.UUID,
    body: CancelRequest,
    request: Request,
    principal: CurrentPrincipal,
    key: IdempotencyKey = None,
    *,
    clock: Clock,
    pool: Pool,
) -> Response:
    scope, _ = await _voucher_scope(pool, voucher_id)
    authorize(principal, "voucher.issue", ResourceScope(region=scope.region))
    command = commands.cancel(voucher_id, body.reason, principal, clock=clock)
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


@router.post(
    "/vouchers/{voucher_id}/redemptions/{redemption_id}/reverse",
    summary="Reverse a redemption (it is no longer paid nor counted)",
)
async def reverse_redemption(
    voucher_id: uuid.UUID,
    redemption_id: uuid.UUID,
    body: ReverseRequest,
    request: Request,
    principal: CurrentPrincipal,
    key: IdempotencyKey = None,
    *,
    clock: Clock,
    pool: Pool,
) -> Response:
    scope, _ = await _voucher_scope(pool, voucher_id)
    authorize(principal, "voucher.reverse", scope)
    command = commands.reverse(voucher_id, redemption_id, body.reason, principal, clock=clock)
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


def _calling_provider(principal: Principal) -> uuid.UUID:
    """The calling clinic's provider id, once the policy lets it redeem (403 otherwise).

    A token naming no provider of the directory's form can name no partner either.
    """
    authorize(principal, "voucher.redeem", ResourceScope(provider_id=principal.provider_id))
    try:
        return uuid.UUID(str(principal.provider_id))
    except ValueError:
        raise refused(commands.not_a_partner()) from None


async def _clinic(pool: asyncpg.Pool, principal: Principal) -> tuple[str, str]:
    """The calling clinic's provider id and region, from the directory."""
    provider_id = _calling_provider(principal)
    row = await pool.fetchrow(
        "SELECT region FROM providers WHERE provider_id = $1 AND active", provider_id
    )
    if row is None:
        raise refused(commands.not_a_partner())
    return str(provider_id), row["region"]


def _code(text: str) -> str:
    code = normalize(text)
    if code is None:
        raise HTTPException(
            422, {"rule": "invalid_code", "message": "not a voucher code (check the characters)"}
        )
    return code


@router.post("/lookup", summary="A clinic looks a voucher up by its code or QR payload")
async def lookup(
    body: LookupRequest, pool: Pool, principal: CurrentPrincipal, *, clock: Clock
) -> ClinicView:
    """A read, but a POST: the code travels in the body, never in a URL (traces, logs)."""
    provider_id, region = await _clinic(pool, principal)
    try:
        view = await commands.clinic_view(pool, _code(body.code), provider_id, region, clock=clock)
    except HTTPException as missing:
        # A clinic trying codes shows in the audit log (never the code: it is a bearer secret).
        if missing.status_code == 404:
            await _audit_read(pool, principal, "voucher.lookup", ("voucher", "-"), "not_found")
        raise
    await _audit_read(pool, principal, "voucher.lookup", ("voucher", str(view.voucher_id)))
    return view


async def _audit_read(
    pool: Any, principal: Principal, action: str, resource: tuple[str, str],
    outcome: str = "done", purpose: str | None = None,
) -> None:  # fmt: skip
    """A read of vouchers (who holds one, where it is spent) goes to the audit log."""
    async with pool.acquire() as conn, conn.transaction():
        await audit(conn, AuditRecord.by(principal, action, resource, outcome, purpose))


@router.post("/redemptions", status_code=201, summary="A clinic redeems a voucher")
async def redeem_voucher(
    body: RedeemRequest,
    request: Request,
    principal: CurrentPrincipal,
    key: RequiredIdempotencyKey,
    *,
    clock: Clock,
) -> Response:
    # The directory check runs in the command's transaction, in its first statement.
    command = commands.redeem(body, _code(body.code), _calling_provider(principal), clock=clock)
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


@router.post("/providers", status_code=201, summary="Add a partner provider to the directory")
async def add_provider(
    body: ProviderRequest, pool: Pool, principal: CurrentPrincipal
) -> dict[str, Any]:
    authorize(principal, "directory.manage", ResourceScope())
    provider_id = new_id()
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(
            "INSERT INTO providers VALUES ($1, $2, $3, $4, $5, $6)",
            provider_id, body.name, body.region, body.kind, list(body.services), body.active,
        )  # fmt: skip
        resource = ("provider", str(provider_id))
        await audit(conn, AuditRecord.by(principal, "directory.provider_added", resource, "done"))
    return {"provider_id": str(provider_id), **body.model_dump(mode="json")}


@router.get("/providers", summary="The partner providers (case teams, M&E, admin)")
async def list_providers(
    pool: Pool, principal: CurrentPrincipal, region: Region | None = None
) -> list[dict[str, Any]]:
    authorize(principal, "directory.read_providers", ResourceScope())
    rows = await pool.fetch(
        "SELECT provider_id::text, name, region, kind, services, active FROM providers"
        " WHERE $1::text IS NULL OR region = $1 ORDER BY region, name",
        region,
    )
    return [dict(r) for r in rows]


@router.put("/budgets/{region}/{period_start}", summary="Set a region's budget for a period")
async def set_budget(
    region: Region,
    period_start: str,
    body: BudgetRequest,
    pool: Pool,
    principal: CurrentPrincipal,
) -> dict[str, Any]:
    authorize(principal, "directory.manage", ResourceScope())
    start = _date(period_start)
    if body.period_end < start:
        raise HTTPException(422, "period_end is before period_start")
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(
            "INSERT INTO budgets VALUES ($1, $2, $3, $4) ON CONFLICT (region, period_start)"
            " DO UPDATE SET period_end = EXCLUDED.period_end, amount = EXCLUDED.amount",
            region, start, body.period_end, body.amount,
        )  # fmt: skip
        resource = ("budget", f"{region}/{start.isoformat()}")
        await audit(conn, AuditRecord.by(principal, "budget.set", resource, "done"))
    return {"region": region, "period_start": start.isoformat(), **body.model_dump(mode="json")}


def _date(text: str) -> Any:
    try:
        parsed = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise HTTPException(422, f"{text!r} is not a date (YYYY-MM-DD)") from None
    try:
        return plausible_date(parsed)
    except ValueError as refused:
        raise HTTPException(422, f"period_start {refused}") from None


@router.get("/reconciliation/{provider_id}", summary="What the program owes a provider")
async def reconcile(
    provider_id: uuid.UUID,
    request: Request,
    principal: CurrentPrincipal,
    period_from: Annotated[
        str, Query(alias="from", description="A date (local day) or an ISO 8601 date-time.")
    ],
    period_to: Annotated[
        str,
        Query(alias="to", description="A date (to the end of that local day) or a date-time."),
    ],
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
    *,
    pool: Pool,
) -> Response:
    zone = ZoneInfo(app_settings(request).program_timezone)
    try:
        start, end = reconciliation.period(period_from, period_to, zone)
    except ValueError as bad:
        raise HTTPException(422, str(bad)) from None
    region = await pool.fetchval("SELECT region FROM providers WHERE provider_id = $1", provider_id)
    if region is None:
        raise HTTPException(404, "no such provider in the directory")
    scope = ResourceScope(region=Region(region), provider_id=str(provider_id))
    authorize(principal, "voucher.reconcile", scope)
    async with pool.acquire() as conn:
        found = await reconciliation.statement(conn, str(provider_id), start, end)
    if format == "csv":
        return Response(found.as_csv(), media_type="text/csv")
    return JSONResponse(found.as_json())


@router.get("/fraud-signals", summary="Redemption patterns worth a second look (not blocking)")
async def signals(
    request: Request,
    principal: CurrentPrincipal,
    period_from: Annotated[PlausibleQueryDateTime | None, Query(alias="from")] = None,
    period_to: Annotated[PlausibleQueryDateTime | None, Query(alias="to")] = None,
    *,
    clock: Clock,
    pool: Pool,
) -> dict[str, Any]:
    authorize(principal, "voucher.fraud_signals", ResourceScope())
    end = _aware(period_to) if period_to else clock()
    start = _aware(period_from) if period_from else end - timedelta(days=30)
    cap: Decimal = app_settings(request).standard_cap_pen
    async with pool.acquire() as conn:
        return await reconciliation.fraud_signals(conn, start, end, cap)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, uuid.UUID | Decimal) else v) for k, v in row.items()}
