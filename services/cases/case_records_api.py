"""HTTP routes for what a case accumulates: legal complaints and encrypted follow-up notes."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response

from access.fastapi import CurrentPrincipal
from eventkit.dependencies import Clock, Pool
from eventkit.http import IdempotencyKey
from services.cases import case_commands as commands
from services.cases import queries
from services.cases.answers_api import answered
from services.cases.audit import audit
from services.cases.case_requests import ComplaintRequest, NoteRequest, TakenUpRequest
from services.cases.cases_api import sensitive_read, update
from services.cases.ports import Ports, PostgresPersonalData
from services.cases.settings import Keys

router = APIRouter(tags=["cases"])


@router.post("/cases/{case_id}/legal-complaints", summary="A complaint was filed (denuncia)")
async def file_complaint(
    case_id: uuid.UUID, body: ComplaintRequest, request: Request, principal: CurrentPrincipal,
    key: IdempotencyKey = None, *, clock: Clock, pool: Pool,
) -> Response:  # fmt: skip
    await update(pool, principal, case_id, "case.update")
    return await answered(
        request, principal, key, body,
        lambda conn: commands.file(Ports.postgres(conn), case_id, body, principal, clock()),
    )  # fmt: skip


@router.post(
    "/cases/{case_id}/legal-complaints/{complaint_id}/taken-up",
    summary="The legal system took the complaint up (O.E. 1.3)",
)
async def complaint_taken_up(
    case_id: uuid.UUID, complaint_id: uuid.UUID, body: TakenUpRequest, request: Request,
    principal: CurrentPrincipal, key: IdempotencyKey = None, *, clock: Clock, pool: Pool,
) -> Response:  # fmt: skip
    await update(pool, principal, case_id, "case.update")
    return await answered(
        request, principal, key, body,
        lambda conn: commands.taken_up(
            Ports.postgres(conn), case_id, complaint_id, body, principal, clock()
        ),
    )  # fmt: skip


@router.post("/cases/{case_id}/notes", status_code=201, summary="Add a follow-up note (encrypted)")
async def add_note(
    case_id: uuid.UUID, body: NoteRequest, request: Request, principal: CurrentPrincipal,
    key: IdempotencyKey = None, *, clock: Clock, pool: Pool, keys: Keys,
) -> Response:  # fmt: skip
    await update(pool, principal, case_id, "case.update")
    return await answered(
        request, principal, key, body,
        lambda conn: commands.add_note(
            Ports.postgres(conn), PostgresPersonalData(conn, keys), case_id, body.text,
            principal, clock(),
        ),
        201,
    )  # fmt: skip


@router.get("/cases/{case_id}/notes", summary="The case's follow-up notes (audited)")
async def read_notes(
    case_id: uuid.UUID, principal: CurrentPrincipal, *, clock: Clock, pool: Pool, keys: Keys
) -> dict[str, Any]:
    row, grant = await sensitive_read(pool, principal, case_id)
    async with pool.acquire() as conn, conn.transaction():
        notes = await queries.notes(conn, keys, case_id, row["participant_id"])
        await audit(conn, principal, "case.read_notes", ("case", case_id), grant)
    return {"case_id": str(case_id), "notes": notes, "read_at": clock().isoformat()}
