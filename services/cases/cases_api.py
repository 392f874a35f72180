"""HTTP routes about cases: open, list, read, reassign, close, reopen, notes, services,
complaints.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from access.fastapi import CurrentPrincipal
from access.participant_keys import Erased
from access.policy import ResourceScope
from access.principal import Principal, Region
from contracts.vocabulary import CaseType
from eventkit.http import IdempotencyKey, authorize, run_command
from services.cases import case_commands as commands
from services.cases import legal_complaint, open_case, personal_data, queries
from services.cases.case import Status
from services.cases.case_requests import (
    CloseRequest,
    ComplaintRequest,
    DeliverRequest,
    NoteRequest,
    OpenCaseRequest,
    ReassignRequest,
    ReopenRequest,
    TakenUpRequest,
)
from services.cases.http_scope import ExpectedVersion, case_row, scope
from services.cases.staff import audit

router = APIRouter(tags=["cases"])
SENSITIVE_TYPES = {CaseType.GBV_PROTECTION, CaseType.MENTAL_HEALTH}


@router.post("/cases", status_code=201, summary="Open a case (needs consent for services)")
async def open_new(
    body: OpenCaseRequest, request: Request, principal: CurrentPrincipal, key: IdempotencyKey = None
) -> Response:
    authorize(principal, "case.open", ResourceScope(region=Region(body.region)))
    command = commands.open_new(body, principal)
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


@router.get("/cases", summary="Cases by region, status, type and caseworker; paginated, sorted")
async def list_cases(
    request: Request,
    principal: CurrentPrincipal,
    region: Region | None = None,
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
    for each in regions:
        authorize(principal, "case.list", ResourceScope(region=each))
    filters = {"status": status, "case_type": case_type, "caseworker_id": caseworker_id}
    async with request.app.state.pool.acquire() as conn:
        return await queries.cases(conn, [str(r) for r in regions], filters, sort, limit, offset)


async def _sensitive_read(request: Request, principal: Principal, case_id: uuid.UUID) -> Any:
    row = await case_row(request, case_id)
    authorize(principal, "case.read_sensitive", scope(row))
    return row


@router.get("/cases/{case_id}", summary="A case (GBV and mental-health reads are audited)")
async def read(case_id: uuid.UUID, request: Request, principal: CurrentPrincipal) -> Response:
    row = await _sensitive_read(request, principal, case_id)
    if row["case_type"] in SENSITIVE_TYPES:
        async with request.app.state.pool.acquire() as conn, conn.transaction():
            await audit(conn, principal, "case.read_sensitive", ("case", case_id))
    return JSONResponse(queries.plain(row), headers={"ETag": f'"{row["version"]}"'})


async def _update(request: Request, principal: Principal, case_id: uuid.UUID, action: str) -> None:
    authorize(principal, action, scope(await case_row(request, case_id)))


@router.post("/cases/{case_id}/reassignment", summary="Hand the case to another caseworker")
async def reassign(
    case_id: uuid.UUID, body: ReassignRequest, request: Request, principal: CurrentPrincipal,
    expected: ExpectedVersion, key: IdempotencyKey = None,
) -> Response:  # fmt: skip
    await _update(request, principal, case_id, "case.update")
    command = commands.change(
        case_id, "case.reassign",
        lambda s, by, now: open_case.reassign(
            s, body.caseworker_id, body.region, body.reason, by, now
        ),
        principal, expected,
    )  # fmt: skip
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


@router.post("/cases/{case_id}/closure", summary="Close the case with a reason")
async def close(
    case_id: uuid.UUID, body: CloseRequest, request: Request, principal: CurrentPrincipal,
    expected: ExpectedVersion, key: IdempotencyKey = None,
) -> Response:  # fmt: skip
    await _update(request, principal, case_id, "case.update")
    command = commands.change(
        case_id, "case.close",
        lambda s, by, now: open_case.close(s, body.reason, body.reason_code, by, now),
        principal, expected,
    )  # fmt: skip
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


@router.post("/cases/{case_id}/reopening", summary="Reopen a closed case")
async def reopen(
    case_id: uuid.UUID, body: ReopenRequest, request: Request, principal: CurrentPrincipal,
    expected: ExpectedVersion, key: IdempotencyKey = None,
) -> Response:  # fmt: skip
    await _update(request, principal, case_id, "case.update")
    command = commands.change(
        case_id, "case.reopen", lambda s, by, now: open_case.reopen(s, body.reason, by, now),
        principal, expected,
    )  # fmt: skip
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


@router.post("/cases/{case_id}/services", status_code=201, summary="Record a service delivered")
async def deliver(
    case_id: uuid.UUID, body: DeliverRequest, request: Request, principal: CurrentPrincipal,
    expected: ExpectedVersion, key: IdempotencyKey = None,
) -> Response:  # fmt: skip
    await _update(request, principal, case_id, "service.deliver")
    command = commands.deliver(case_id, body, principal, expected)
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


@router.post("/cases/{case_id}/legal-complaints", summary="A complaint was filed (denuncia)")
async def file_complaint(
    case_id: uuid.UUID, body: ComplaintRequest, request: Request, principal: CurrentPrincipal,
    key: IdempotencyKey = None,
) -> Response:  # fmt: skip
    await _update(request, principal, case_id, "case.update")
    complaint_id = uuid.uuid4()
    command = commands.change(
        case_id, "legal_complaint.file",
        lambda s, by, now: legal_complaint.file(
            legal_complaint.FileComplaint(
                complaint_id, body.violation, body.authority, body.filed_at or now, by, now
            ), s,
        ),
        principal, None,
    )  # fmt: skip
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


@router.post(
    "/cases/{case_id}/legal-complaints/{complaint_id}/taken-up",
    summary="The legal system took the complaint up (O.E. 1.3)",
)
async def complaint_taken_up(
    case_id: uuid.UUID, complaint_id: uuid.UUID, body: TakenUpRequest, request: Request,
    principal: CurrentPrincipal, key: IdempotencyKey = None,
) -> Response:  # fmt: skip
    await _update(request, principal, case_id, "case.update")
    command = commands.change(
        case_id, "legal_complaint.taken_up",
        lambda s, by, now: legal_complaint.taken_up(
            legal_complaint.RecordTakenUp(
                complaint_id, body.authority, body.taken_up_at or now, by, now
            ), s,
        ),
        principal, None,
    )  # fmt: skip
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


@router.post("/cases/{case_id}/notes", status_code=201, summary="Add a follow-up note (encrypted)")
async def add_note(
    case_id: uuid.UUID, body: NoteRequest, request: Request, principal: CurrentPrincipal,
    key: IdempotencyKey = None,
) -> Response:  # fmt: skip
    await _update(request, principal, case_id, "case.update")
    command = commands.add_note(case_id, body.text, principal, request.app.state.personal_data_keys)
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


@router.get("/cases/{case_id}/notes", summary="The case's follow-up notes (audited)")
async def read_notes(
    case_id: uuid.UUID, request: Request, principal: CurrentPrincipal
) -> dict[str, Any]:
    row = await _sensitive_read(request, principal, case_id)
    keys = request.app.state.personal_data_keys
    async with request.app.state.pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(
            "SELECT * FROM case_notes WHERE case_id = $1 ORDER BY written_at", case_id
        )
        notes = []
        for note in rows:
            name = f"note/{note['note_id']}"
            try:
                opened = await personal_data.cipher(conn, keys).decrypt(
                    str(row["participant_id"]), {name: note["body"]}
                )
                text: str | None = opened[name]
            except Erased:
                text = None
            notes.append({"note_id": str(note["note_id"]), "written_by": str(note["written_by"]),
                          "written_at": note["written_at"].isoformat(), "text": text})  # fmt: skip
        await audit(conn, principal, "case.read_notes", ("case", case_id))
    return {"case_id": str(case_id), "notes": notes, "read_at": datetime.now(UTC).isoformat()}
