"""HTTP routes about cases: open, list, read, reassign, close, reopen, notes, services,
complaints.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any, Literal

import asyncpg
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from access.fastapi import CurrentPrincipal, authorize, authorize_all
from access.policy import ResourceScope
from access.principal import Principal, Region
from eventkit.clock import Now
from eventkit.dependencies import Clock, Pool
from eventkit.http import ExpectedVersion, IdempotencyKey
from program.known import KnownCaseType, KnownTerritory
from program.load import current_program
from services.cases import case_commands as commands
from services.cases import queries
from services.cases.answers_api import Work, answered
from services.cases.audit import audit
from services.cases.case import Status
from services.cases.case_requests import (
    CloseRequest,
    DeliverRequest,
    OpenCaseRequest,
    ReassignRequest,
    ReopenRequest,
)
from services.cases.ports import Ports
from services.cases.results import Result
from services.cases.scopes_api import (
    case_row,
    person_scopes,
    scope,
)

router = APIRouter(tags=["cases"])


def sensitive_types() -> frozenset[str]:
    """The running program's case types whose every read is audited (`case_types[].sensitive`)."""
    return frozenset(kind.code for kind in current_program().case_types if kind.sensitive)


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
    return await answered(
        request, principal, key, body,
        lambda conn: commands.open_for(Ports.postgres(conn), body, principal, clock()), 201,
    )  # fmt: skip


@router.get("/cases", summary="Cases by region, status, type and caseworker; paginated, sorted")
async def list_cases(
    pool: Pool,
    principal: CurrentPrincipal,
    region: KnownTerritory | None = None,
    status: Status | None = None,
    case_type: KnownCaseType | None = None,
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
    if row["case_type"] in sensitive_types() or grant:
        async with pool.acquire() as conn, conn.transaction():
            await audit(conn, principal, "case.read_sensitive", ("case", case_id), grant)
    return JSONResponse(queries.plain(row), headers={"ETag": f'"{row["version"]}"'})


async def update(pool: asyncpg.Pool, principal: Principal, case_id: uuid.UUID, action: str) -> None:
    authorize(principal, action, scope(await case_row(pool, case_id)))


CaseCommand = Callable[[Ports, uuid.UUID, Any, Principal, int | None, datetime], Awaitable[Result]]
"""A service-layer command on one case, at the version the client pinned (`If-Match`)."""


def _on_case(
    command: CaseCommand, case_id: uuid.UUID, body: BaseModel, principal: Principal,
    expected: int | None, clock: Now,
) -> Work:  # fmt: skip
    return lambda conn: command(Ports.postgres(conn), case_id, body, principal, expected, clock())


@router.post("/cases/{case_id}/reassignment", summary="Hand the case to another caseworker")
async def reassign(
    case_id: uuid.UUID, body: ReassignRequest, request: Request, principal: CurrentPrincipal,
    expected: ExpectedVersion, key: IdempotencyKey = None, *, clock: Clock, pool: Pool,
) -> Response:  # fmt: skip
    await update(pool, principal, case_id, "case.update")
    # Moving a case: the caller must hold the region it moves to as well.
    authorize(principal, "case.update", ResourceScope(region=Region(body.region)))
    work = _on_case(commands.reassign, case_id, body, principal, expected, clock)
    return await answered(request, principal, key, body, work)


@router.post("/cases/{case_id}/closure", summary="Close the case with a reason")
async def close(
    case_id: uuid.UUID, body: CloseRequest, request: Request, principal: CurrentPrincipal,
    expected: ExpectedVersion, key: IdempotencyKey = None, *, clock: Clock, pool: Pool,
) -> Response:  # fmt: skip
    await update(pool, principal, case_id, "case.update")
    work = _on_case(commands.close, case_id, body, principal, expected, clock)
    return await answered(request, principal, key, body, work)


@router.post("/cases/{case_id}/reopening", summary="Reopen a closed case")
async def reopen(
    case_id: uuid.UUID, body: ReopenRequest, request: Request, principal: CurrentPrincipal,
    expected: ExpectedVersion, key: IdempotencyKey = None, *, clock: Clock, pool: Pool,
) -> Response:  # fmt: skip
    await update(pool, principal, case_id, "case.update")
    work = _on_case(commands.reopen, case_id, body, principal, expected, clock)
    return await answered(request, principal, key, body, work)


@router.post("/cases/{case_id}/services", status_code=201, summary="Record a service delivered")
async def deliver(
    case_id: uuid.UUID, body: DeliverRequest, request: Request, principal: CurrentPrincipal,
    expected: ExpectedVersion, key: IdempotencyKey = None, *, clock: Clock, pool: Pool,
) -> Response:  # fmt: skip
    await update(pool, principal, case_id, "service.deliver")
    work = _on_case(commands.deliver_in, case_id, body, principal, expected, clock)
    return await answered(request, principal, key, body, work, 201)
