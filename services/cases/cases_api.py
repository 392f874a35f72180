"""HTTP routes about cases: open, list, read, reassign, close, reopen, notes, services,
complaints.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

import asyncpg
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from access.fastapi import CurrentPrincipal, authorize, authorize_all
from access.policy import ResourceScope
from access.principal import Principal, Region
from contracts.vocabulary import CaseType
from eventkit.dependencies import Clock, Pool
from eventkit.field_time import configured
from eventkit.http import ExpectedVersion, IdempotencyKey, run_command
from program.known import KnownTerritory
from services.cases import case_commands as commands
from services.cases import close_case, queries, reassign_case, reopen_case
from services.cases.audit import audit
from services.cases.case import Status
from services.cases.case_requests import (
    CloseRequest,
    DeliverRequest,
    OpenCaseRequest,
    ReassignRequest,
    ReopenRequest,
)
from services.cases.scopes_api import (
    case_row,
    person_scopes,
    scope,
)

router = APIRouter(tags=["cases"])
SENSITIVE_TYPES = {CaseType.GBV_PROTECTION, CaseType.MENTAL_HEALTH}


@router.post("/cases", status_code=201, summary="Open a case (needs consent for services)")
async def open_new(
    body: OpenCaseRequest,
    request: Request,
    principal: CurrentPrincipal,
    key: IdempotencyKey = None,
    *,
    clock: Clock,
    pool: Pool,
) -> Response:
    authorize(principal, "case.open", ResourceScope(region=Region(body.region)))
    # The person's region too: a case for another region's participant is not the caller's.
    authorize_all(principal, "case.open", await person_scopes(pool, body.participant_id))
    command = commands.open_new(body, principal, clock=clock)
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


@router.get("/cases", summary="Cases by region, status, type and caseworker; paginated, sorted")
async def list_cases(
    pool: Pool,
    principal: CurrentPrincipal,
    region: KnownTerritory | None = None,
    status: Status | None = None,
    case_type: CaseType | None = None,
    caseworker_id: uuid.UUID | None = None,
    sort: Literal["opened_at", "-opened_at", "updated_at", "-updated_at"] = "-opened_at",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    """Without `region`: every region of the caller."""
    regions = [region] if region else sorted(principal.regions)
    if not regions:
        authorize(principal, "case.list", ResourceScope())
    grants = {
        each: authorize(principal, "case.list", ResourceScope(region=each)).grant_id
        for each in regions
    }
    filters = {"status": status, "case_type": case_type, "caseworker_id": caseworker_id}
    async with pool.acquire() as conn, conn.transaction():
        page = await queries.cases(conn, [str(r) for r in regions], filters, sort, limit, offset)
        # A list of cases reveals who has a GBV case: audited per region, with the grant used.
        for each, grant in grants.items():
            await audit(conn, principal, "case.list", ("region", each), grant)
    return page


async def sensitive_read(
    pool: asyncpg.Pool, principal: Principal, case_id: uuid.UUID
) -> tuple[Any, str | None]:
    """The case row, once the caller may read it, and the break-glass grant used, if any."""
    row = await case_row(pool, case_id)
    return row, authorize(principal, "case.read_sensitive", scope(row)).grant_id


@router.get("/cases/{case_id}", summary="A case (GBV and mental-health reads are audited)")
async def read(case_id: uuid.UUID, pool: Pool, principal: CurrentPrincipal) -> Response:
    row, grant = await sensitive_read(pool, principal, case_id)
    if row["case_type"] in SENSITIVE_TYPES or grant:
        async with pool.acquire() as conn, conn.transaction():
            await audit(conn, principal, "case.read_sensitive", ("case", case_id), grant)
    return JSONResponse(queries.plain(row), headers={"ETag": f'"{row["version"]}"'})


async def update(pool: asyncpg.Pool, principal: Principal, case_id: uuid.UUID, action: str) -> None:
    authorize(principal, action, scope(await case_row(pool, case_id)))


@router.post("/cases/{case_id}/reassignment", summary="Hand the case to another caseworker")
async def reassign(
    case_id: uuid.UUID, body: ReassignRequest, request: Request, principal: CurrentPrincipal,
    expected: ExpectedVersion, key: IdempotencyKey = None,
    *, clock: Clock,
pool: Pool,) -> Response:  # fmt: skip
    await update(pool, principal, case_id, "case.update")
    # Moving a case: the caller must hold the region it moves to as well.
    authorize(principal, "case.update", ResourceScope(region=Region(body.region)))
    command = commands.change(
        case_id, "case.reassign",
        lambda s, by, now: reassign_case.decide(
            reassign_case.ReassignCase(body.caseworker_id, body.region, body.reason, by, now,
                                       body.occurred_at, configured()), s
        ),
        principal, expected,
        clock=clock, occurred_at=body.occurred_at,
    )  # fmt: skip
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


@router.post("/cases/{case_id}/closure", summary="Close the case with a reason")
async def close(
    case_id: uuid.UUID, body: CloseRequest, request: Request, principal: CurrentPrincipal,
    expected: ExpectedVersion, key: IdempotencyKey = None,
    *, clock: Clock,
pool: Pool,) -> Response:  # fmt: skip
    await update(pool, principal, case_id, "case.update")
    command = commands.change(
        case_id, "case.close",
        lambda s, by, now: close_case.decide(
            close_case.CloseCase(body.reason, body.reason_code, by, now, body.occurred_at,
                                 configured()), s
        ),
        principal, expected,
        clock=clock, occurred_at=body.occurred_at,
    )  # fmt: skip
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


@router.post("/cases/{case_id}/reopening", summary="Reopen a closed case")
async def reopen(
    case_id: uuid.UUID, body: ReopenRequest, request: Request, principal: CurrentPrincipal,
    expected: ExpectedVersion, key: IdempotencyKey = None,
    *, clock: Clock,
pool: Pool,) -> Response:  # fmt: skip
    await update(pool, principal, case_id, "case.update")
    command = commands.change(
        case_id, "case.reopen",
        lambda s, by, now: reopen_case.decide(
            reopen_case.ReopenCase(body.reason, by, now, body.occurred_at, configured()), s
        ),
        principal, expected,
        clock=clock, occurred_at=body.occurred_at,
    )  # fmt: skip
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


@router.post("/cases/{case_id}/services", status_code=201, summary="Record a service delivered")
async def deliver(
    case_id: uuid.UUID, body: DeliverRequest, request: Request, principal: CurrentPrincipal,
    expected: ExpectedVersion, key: IdempotencyKey = None,
    *, clock: Clock,
pool: Pool,) -> Response:  # fmt: skip
    await update(pool, principal, case_id, "service.deliver")
    command = commands.deliver(case_id, body, principal, expected, clock=clock)
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)
