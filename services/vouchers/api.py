"""HTTP routes of the vouchers service: caseworkers issue, supervisors approve, clinics redeem.

Thin: authorize, call the service layer (`commands`) or a read (`queries`), shape the answer.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import asyncpg
from fastapi import APIRouter, Body, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse

from access.fastapi import CurrentPrincipal, authorize
from access.policy import ResourceScope
from access.principal import Principal, Region
from contracts.scalars import PlausibleQueryDateTime, plausible_date
from eventkit.decider import RefusalKind, Refused
from eventkit.dependencies import Clock, Pool
from eventkit.http import (
    ExpectedVersion,
    IdempotencyKey,
    RequiredIdempotencyKey,
    refused,
    run_command,
)
from eventkit.idempotency import Answer, Command
from eventkit.ids import new_id
from eventkit.store import Connection
from program.known import KnownTerritory
from program.load import current_program
from services.vouchers import commands, queries, reconciliation
from services.vouchers.code import new_code, normalize, qr_payload
from services.vouchers.metrics import REDEEMED
from services.vouchers.ports import Ports, postgres
from services.vouchers.requests import (
    ApproveRequest,
    BudgetRequest,
    CancelRequest,
    ClinicView,
    IssueRequest,
    LookupRequest,
    ProviderChange,
    ProviderRequest,
    RecordedRedemption,
    RedeemRequest,
    ReverseRequest,
)
from services.vouchers.settings import VouchersConfig

router = APIRouter(tags=["vouchers"])


def _in_transaction(work: Callable[[Ports], Awaitable[Answer]]) -> Command:
    """The command `run_command` runs: `work` on the ports over its connection."""

    async def run(conn: Connection) -> Answer:
        return await work(postgres(conn))

    return run


def _changed(done: commands.Changed) -> Answer:
    body = {"voucher_id": str(done.voucher_id), "version": done.version, "position": done.position}
    return Answer(200, body)


async def _voucher(pool: asyncpg.Pool, voucher_id: uuid.UUID) -> tuple[ResourceScope, Any]:
    """The voucher's read row and its policy scope (region, provider); 404 when unknown."""
    row = await queries.voucher(pool, voucher_id)
    if row is None:
        raise refused(Refused("voucher_not_found", "no such voucher", RefusalKind.NOT_FOUND))
    return ResourceScope(region=Region(row["region"]), provider_id=_text(row["provider_id"])), row


def _text(value: object) -> str | None:
    return None if value is None else str(value)


@router.post("/vouchers", status_code=201, summary="Issue a voucher to a participant")
async def issue_voucher(
    body: IssueRequest,
    request: Request,
    principal: CurrentPrincipal,
    key: IdempotencyKey = None,
    *,
    clock: Clock,
    settings: VouchersConfig,
) -> Response:
    authorize(principal, "voucher.issue", ResourceScope(region=Region(body.region)))
    code, cap = new_code(), settings.standard_cap

    async def work(ports: Ports) -> Answer:
        done = await commands.issue(
            ports, principal, body, code, cap, new_id(), clock(), body.occurred_at
        )
        return Answer(
            201,
            {
                "voucher_id": str(done.voucher_id),
                "code": code,
                "qr_payload": qr_payload(code),
                "requires_approval": done.requires_approval,
                "status": "awaiting_approval" if done.requires_approval else "active",
                "version": done.version,
                "position": done.position,
            },
        )

    return await run_command(
        request, principal, key, body.model_dump(mode="json"), _in_transaction(work)
    )


@router.get("/approvals", summary="The vouchers awaiting a supervisor's approval")
async def awaiting_approval(
    pool: Pool, principal: CurrentPrincipal, region: Region | None = None
) -> dict[str, Any]:
    """Of `region`, or without it of every region of the caller; each region must be one the
    caller approves in. No codes: a supervisor decides from the list, a clinic redeems a code.
    Audited per region (who looked at which region's pending vouchers)."""
    regions = [region] if region else sorted(principal.regions)
    if not regions:
        authorize(principal, "voucher.approve", ResourceScope())
    grants = {
        each: authorize(principal, "voucher.approve", ResourceScope(region=each)).grant_id
        for each in regions
    }
    found = await queries.awaiting_approval(pool, [str(r) for r in regions])
    for each, grant in grants.items():
        await _audit_read(pool, principal, "voucher.list_awaiting", ("region", each), purpose=grant)
    return {"vouchers": found}


@router.get("/vouchers/{voucher_id}", summary="A voucher as the case team sees it")
async def read_voucher(
    voucher_id: uuid.UUID, pool: Pool, principal: CurrentPrincipal, response: Response
) -> dict[str, Any]:
    """The `ETag` is the voucher's version: send it as `If-Match` to approve, cancel, reverse."""
    scope, row = await _voucher(pool, voucher_id)
    decision = authorize(principal, "voucher.read", ResourceScope(region=scope.region))
    resource = ("voucher", str(voucher_id))
    await _audit_read(pool, principal, "voucher.read", resource, purpose=decision.grant_id)
    response.headers["ETag"] = f'"{row["version"]}"'
    return {**_plain(dict(row)), "qr_payload": qr_payload(row["code"])}


@router.post("/vouchers/{voucher_id}/approve", summary="Approve a voucher above the standard cap")
async def approve_voucher(
    voucher_id: uuid.UUID,
    request: Request,
    principal: CurrentPrincipal,
    expected: ExpectedVersion,
    key: IdempotencyKey = None,
    *,
    body: Annotated[ApproveRequest, Body(default_factory=ApproveRequest)],
    clock: Clock,
    pool: Pool,
) -> Response:
    scope, _ = await _voucher(pool, voucher_id)
    authorize(principal, "voucher.approve", scope)

    async def work(ports: Ports) -> Answer:
        done = await commands.approve(
            ports, principal, voucher_id, clock(), expected, body.occurred_at
        )
        return _changed(done)

    payload = body.model_dump(mode="json", exclude_none=True)
    return await run_command(request, principal, key, payload, _in_transaction(work))


@router.post("/vouchers/{voucher_id}/cancel", summary="Cancel an unredeemed voucher")
async def cancel_voucher(
    voucher_id: uuid.UUID,
    body: CancelRequest,
    request: Request,
    principal: CurrentPrincipal,
    expected: ExpectedVersion,
    key: IdempotencyKey = None,
    *,
    clock: Clock,
    pool: Pool,
) -> Response:
    scope, _ = await _voucher(pool, voucher_id)
    authorize(principal, "voucher.issue", ResourceScope(region=scope.region))

    async def work(ports: Ports) -> Answer:
        done = await commands.cancel(
            ports, principal, voucher_id, body.reason, clock(), expected, body.occurred_at
        )
        return _changed(done)

    return await run_command(
        request, principal, key, body.model_dump(mode="json"), _in_transaction(work)
    )


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
    expected: ExpectedVersion,
    key: IdempotencyKey = None,
    *,
    clock: Clock,
    pool: Pool,
) -> Response:
    scope, _ = await _voucher(pool, voucher_id)
    authorize(principal, "voucher.reverse", scope)

    async def work(ports: Ports) -> Answer:
        done = await commands.reverse(
            ports,
            principal,
            voucher_id,
            redemption_id,
            body.reason,
            clock(),
            expected,
            body.occurred_at,
        )
        return _changed(done)

    return await run_command(
        request, principal, key, body.model_dump(mode="json"), _in_transaction(work)
    )


def _calling_provider(principal: Principal) -> uuid.UUID:
    """The calling clinic's provider id, once the policy lets it redeem (403 otherwise)."""
    authorize(principal, "voucher.redeem", ResourceScope(provider_id=principal.provider_id))
    try:
        return commands.calling_provider(principal.provider_id)
    except Refused as refusal:
        raise refused(refusal) from None


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
    provider_id = _calling_provider(principal)
    async with pool.acquire() as conn:
        ports = postgres(conn)
        try:
            region = await commands.partner_region(ports, provider_id)
            view: ClinicView | Refused = await commands.clinic_view(
                ports, _code(body.code), provider_id, region, clock(), body.occurred_at
            )
        except Refused as refusal:
            if refusal.kind is not RefusalKind.NOT_FOUND:
                raise refused(refusal) from None
            view = refusal
    if isinstance(view, Refused):
        # A clinic trying codes shows in the audit log (never the code: it is a bearer secret).
        await _audit_read(pool, principal, "voucher.lookup", ("voucher", "-"), "not_found")
        raise refused(view)
    await _audit_read(pool, principal, "voucher.lookup", ("voucher", str(view.voucher_id)))
    return view


async def _audit_read(
    pool: asyncpg.Pool, principal: Principal, action: str, resource: tuple[str, str],
    outcome: str = "done", purpose: str | None = None,
) -> None:  # fmt: skip
    async with pool.acquire() as conn, conn.transaction():
        await commands.audit_read(postgres(conn), principal, action, resource, outcome, purpose)


@router.post("/redemptions", status_code=201, summary="A clinic redeems a voucher")
async def redeem_voucher(
    body: RedeemRequest,
    request: Request,
    principal: CurrentPrincipal,
    key: RequiredIdempotencyKey,
    *,
    clock: Clock,
) -> Response:
    """Answers `amount`, `remaining` and `currency` (the program's); `remaining_pen` is the
    same as `remaining`, deprecated (kept for clients that read it)."""
    code = _code(body.code)
    provider_id = _calling_provider(principal)

    async def work(ports: Ports) -> Answer:
        done = await commands.redeem(
            ports, body, code, provider_id, new_id(), clock(), body.occurred_at
        )
        return Answer(
            201,
            {
                "voucher_id": str(done.voucher_id),
                "redemption_id": str(done.redemption_id),
                "amount": f"{done.amount:.2f}",
                "remaining": f"{done.remaining:.2f}",
                "currency": current_program().currency,
                "remaining_pen": f"{done.remaining:.2f}",  # deprecated: `remaining`
                "receipt_number": done.receipt_number,
                "position": done.position,
            },
            after_commit=lambda: REDEEMED.labels(done.region).inc(float(done.amount)),
        )

    return await run_command(
        request, principal, key, body.model_dump(mode="json"), _in_transaction(work)
    )


@router.post(
    "/redemptions/recorded",
    status_code=201,
    summary="A supervisor records a clinic's claim past the claim window",
)
async def record_redemption(
    body: RecordedRedemption,
    request: Request,
    principal: CurrentPrincipal,
    key: RequiredIdempotencyKey,
    pool: Pool,
    *,
    clock: Clock,
) -> Response:
    """Care a clinic gave longer ago than it may claim itself (a paper claim, an import): a
    supervisor of the clinic's region records it for the clinic, as a late entry (audited)."""
    code = _code(body.code)
    async with pool.acquire() as conn:
        try:
            region = await commands.partner_region(postgres(conn), body.provider_id)
        except Refused as refusal:
            raise refused(refusal) from None
    authorize(principal, "voucher.record_redemption", ResourceScope(region=region))

    async def work(ports: Ports) -> Answer:
        done = await commands.redeem(
            ports, body, code, body.provider_id, new_id(), clock(), body.occurred_at,
            recorded_by=principal,
        )  # fmt: skip
        return Answer(
            201,
            {
                "voucher_id": str(done.voucher_id),
                "redemption_id": str(done.redemption_id),
                "amount": f"{done.amount:.2f}",
                "remaining": f"{done.remaining:.2f}",
                "currency": current_program().currency,
                "remaining_pen": f"{done.remaining:.2f}",  # deprecated: `remaining`
                "receipt_number": done.receipt_number,
                "position": done.position,
            },
            after_commit=lambda: REDEEMED.labels(done.region).inc(float(done.amount)),
        )

    return await run_command(
        request, principal, key, body.model_dump(mode="json"), _in_transaction(work)
    )


@router.post("/providers", status_code=201, summary="Add a partner provider to the directory")
async def add_provider(
    body: ProviderRequest, pool: Pool, principal: CurrentPrincipal
) -> dict[str, Any]:
    authorize(principal, "directory.manage", ResourceScope())
    provider_id = new_id()
    async with pool.acquire() as conn, conn.transaction():
        await commands.add_provider(conn, principal, body, provider_id)
    return {"provider_id": str(provider_id), **body.model_dump(mode="json")}


@router.patch("/providers/{provider_id}", summary="Change a provider's entry in the directory")
async def change_provider(
    provider_id: uuid.UUID, body: ProviderChange, pool: Pool, principal: CurrentPrincipal
) -> dict[str, Any]:
    authorize(principal, "directory.manage", ResourceScope())
    try:
        async with pool.acquire() as conn, conn.transaction():
            return await commands.change_provider(conn, principal, provider_id, body)
    except Refused as refusal:
        raise refused(refusal) from None


@router.get("/providers", summary="The partner providers (case teams, M&E, admin)")
async def list_providers(
    pool: Pool, principal: CurrentPrincipal, region: KnownTerritory | None = None
) -> list[dict[str, Any]]:
    authorize(principal, "directory.read_providers", ResourceScope())
    return await queries.providers(pool, region)


@router.put("/budgets/{region}/{period_start}", summary="Set a region's budget for a period")
async def set_budget(
    region: KnownTerritory,
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
        await commands.set_budget(conn, principal, region, start, body)
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
    settings: VouchersConfig,
) -> Response:
    """JSON: the lines, `total` and `currency` (the program's); `total_pen` is the same as
    `total`, deprecated (kept for clients that read it)."""
    zone = ZoneInfo(settings.program_timezone)
    try:
        start, end = reconciliation.period(period_from, period_to, zone)
    except ValueError as bad:
        raise HTTPException(422, str(bad)) from None
    region = await queries.provider_region(pool, provider_id)
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
    principal: CurrentPrincipal,
    period_from: Annotated[PlausibleQueryDateTime | None, Query(alias="from")] = None,
    period_to: Annotated[PlausibleQueryDateTime | None, Query(alias="to")] = None,
    *,
    clock: Clock,
    pool: Pool,
    settings: VouchersConfig,
) -> dict[str, Any]:
    authorize(principal, "voucher.fraud_signals", ResourceScope())
    end = _aware(period_to) if period_to else clock()
    start = _aware(period_from) if period_from else end - timedelta(days=30)
    cap = settings.standard_cap
    async with pool.acquire() as conn:
        return await reconciliation.fraud_signals(conn, start, end, cap)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, uuid.UUID | Decimal) else v) for k, v in row.items()}
