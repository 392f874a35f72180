"""HTTP routes for what a case accumulates: legal complaints and encrypted follow-up notes."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response

from access.fastapi import CurrentPrincipal
from access.participant_keys import Erased
from eventkit.dependencies import Clock, Pool
from eventkit.http import IdempotencyKey, run_command
from eventkit.ids import new_id
from services.cases import case_commands as commands
from services.cases import legal_complaint, personal_data
from services.cases.case_requests import ComplaintRequest, NoteRequest, TakenUpRequest
from services.cases.cases_api import sensitive_read, update
from services.cases.staff import audit

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
        lambda s, by, now: legal_complaint.file(
            legal_complaint.FileComplaint(
                complaint_id, body.violation, body.authority, body.filed_at or now, by, now
            ), s,
        ),
        principal, None,
        clock=clock,
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
        lambda s, by, now: legal_complaint.taken_up(
            legal_complaint.RecordTakenUp(
                complaint_id, body.authority, body.taken_up_at or now, by, now
            ), s,
        ),
        principal, None,
        clock=clock,
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
        await audit(conn, principal, "case.read_notes", ("case", case_id), grant)
    return {"case_id": str(case_id), "notes": notes, "read_at": clock().isoformat()}
