"""HTTP routes for what a case accumulates: legal complaints and encrypted follow-up notes."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response

from access.fastapi import CurrentPrincipal
from eventkit.dependencies import Clock, Pool
from eventkit.field_time import configured
from eventkit.http import IdempotencyKey, run_command
from eventkit.ids import new_id
from services.cases import case_commands as commands
from services.cases import file_complaint as filing
from services.cases import queries, record_taken_up
from services.cases.audit import audit
from services.cases.case_requests import ComplaintRequest, NoteRequest, TakenUpRequest
from services.cases.cases_api import sensitive_read, update

router = APIRouter(tags=["cases"])


@router.post("/cases/{case_id}/legal-complaints", summary="A complaint was filed (denuncia)")
async def file_complaint(
    case_id: uuid.UUID, body: ComplaintRequest, request: Request, principal: CurrentPrincipal,
    key: IdempotencyKey = None,
    *, clock: Clock,
pool: Pool,) -> Response:  # fmt: skip
    await update(pool, principal, case_id, "case.update")
    complaint_id = new_id()
    command = commands.change(
        case_id, "legal_complaint.file",
        lambda s, by, now: filing.decide(
            filing.FileComplaint(
                complaint_id, body.violation, body.authority, body.filed_at or now, by, now,
                configured(),
            ), s,
        ),
        principal, None,
        clock=clock, occurred_at=body.filed_at,
    )  # fmt: skip
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


@router.post(
    "/cases/{case_id}/legal-complaints/{complaint_id}/taken-up",
    summary="The legal system took the complaint up (O.E. 1.3)",
)
async def complaint_taken_up(
    case_id: uuid.UUID, complaint_id: uuid.UUID, body: TakenUpRequest, request: Request,
    principal: CurrentPrincipal, key: IdempotencyKey = None,
    *, clock: Clock,
pool: Pool,) -> Response:  # fmt: skip
    await update(pool, principal, case_id, "case.update")
    command = commands.change(
        case_id, "legal_complaint.taken_up",
        lambda s, by, now: record_taken_up.decide(
            record_taken_up.RecordTakenUp(
                complaint_id, body.authority, body.taken_up_at or now, by, now, configured()
            ), s,
        ),
        principal, None,
        clock=clock, occurred_at=body.taken_up_at,
    )  # fmt: skip
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


@router.post("/cases/{case_id}/notes", status_code=201, summary="Add a follow-up note (encrypted)")
async def add_note(
    case_id: uuid.UUID, body: NoteRequest, request: Request, principal: CurrentPrincipal,
    key: IdempotencyKey = None,
    *, clock: Clock,
pool: Pool,) -> Response:  # fmt: skip
    await update(pool, principal, case_id, "case.update")
    command = commands.add_note(
        case_id, body.text, principal, request.app.state.personal_data_keys, clock=clock
    )
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


@router.get("/cases/{case_id}/notes", summary="The case's follow-up notes (audited)")
async def read_notes(
    case_id: uuid.UUID, request: Request, principal: CurrentPrincipal, *, clock: Clock, pool: Pool
) -> dict[str, Any]:
    row, grant = await sensitive_read(pool, principal, case_id)
    keys = request.app.state.personal_data_keys
    async with pool.acquire() as conn, conn.transaction():
        notes = await queries.notes(conn, keys, case_id, row["participant_id"])
        await audit(conn, principal, "case.read_notes", ("case", case_id), grant)
    return {"case_id": str(case_id), "notes": notes, "read_at": clock().isoformat()}
