"""The supervisors' upload: `POST /imports` (multipart), `GET /imports/{id}`, the templates.

A supervisor imports rows of their own regions only (`import.run`); the rows are sent as that
supervisor (`sending.Signer`), so the services apply the same policy and audit them under the
supervisor's name. The upload answers at once: errors (nothing written), or `202` with the
job whose progress `GET /imports/{id}` reports.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from access.fastapi import CurrentPrincipal, authorize, authorize_all
from access.policy import ResourceScope
from access.principal import Principal
from contracts.vocabulary import Region
from deploy.imports.dry_run import Checked
from deploy.imports.importing import check, run, start
from deploy.imports.kinds import KINDS
from deploy.imports.reading import Unreadable
from deploy.imports.sending import Sender
from deploy.imports.store import JobStore
from deploy.imports.templates import csv_template, xlsx_template

router = APIRouter(tags=["imports"])
MAX_BYTES = 20 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _any_region(principal: Principal) -> ResourceScope:
    return ResourceScope(region=min(principal.regions) if principal.regions else None)


@router.get("/imports/templates/{kind}.{extension}", summary="A kind's template (csv or xlsx)")
async def template(kind: str, extension: str, principal: CurrentPrincipal) -> Response:
    authorize(principal, "import.run", _any_region(principal))
    if kind not in KINDS or extension not in ("csv", "xlsx"):
        raise HTTPException(404, f"no template {kind}.{extension}")
    if extension == "csv":
        return Response(csv_template(kind), media_type="text/csv; charset=utf-8")
    return Response(xlsx_template(kind), media_type=XLSX)


@router.post("/imports", summary="Upload a file to import (or only check it: dry_run)")
async def upload(
    request: Request,
    principal: CurrentPrincipal,
    kind: Annotated[str, Form()],
    file: Annotated[UploadFile, File()],
    dry_run: Annotated[bool, Form()] = False,
) -> JSONResponse:
    authorize(principal, "import.run", _any_region(principal))
    if kind not in KINDS:
        raise HTTPException(422, {"rule": "unknown_kind", "message": f"kinds: {', '.join(KINDS)}"})
    content = await file.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise HTTPException(413, "at most 20 MB a file; split it")
    acting = {
        "subject": principal.subject,
        "organization": principal.organization_id,
        "regions": sorted(principal.regions),
    }
    sender: Sender = request.app.state.sender_for(acting)
    launched = False
    try:
        answer, job, checked = await _checked(
            request, principal, sender, kind, file, content, dry_run, acting
        )
        if job is not None and checked.valid:
            launch(request.app.state, job, checked, sender)
            launched = True
        return answer
    finally:
        if not launched:
            await sender.close()


async def _checked(
    request: Request,
    principal: Principal,
    sender: Sender,
    kind: str,
    file: UploadFile,
    content: bytes,
    dry_run: bool,
    acting: dict[str, Any],
) -> tuple[JSONResponse, uuid.UUID | None, Checked]:
    """The dry run's answer, or the job started (the caller launches it when valid)."""
    store: JobStore = request.app.state.store
    name = file.filename or f"{kind}.csv"
    try:
        _, checked = await check(store, sender, kind, name, content)
    except Unreadable as unreadable:
        detail = {"rule": "unreadable", "es": unreadable.es, "en": unreadable.en}
        raise HTTPException(422, detail) from None
    regions = {str(row.values.get("region")) for row in checked.rows if row.values.get("region")}
    scopes = [ResourceScope(region=Region(r)) for r in sorted(regions)]
    authorize_all(principal, "import.run", scopes)
    errors = [asdict(error) for error in checked.errors]
    if dry_run:
        return JSONResponse({"rows": len(checked.rows), "errors": errors}), None, checked
    job, checked = await start(
        store, sender, kind, name, content, principal.subject, acting, checked
    )
    if not checked.valid:
        body: dict[str, Any] = {"import_id": str(job), "status": "refused", "errors": errors}
        return JSONResponse(body, 422), job, checked
    body = {"import_id": str(job), "status": "running", "total": len(checked.rows)}
    return JSONResponse(body, 202, headers={"Location": f"/imports/{job}"}), job, checked


def launch(state: Any, job: uuid.UUID, checked: Checked, sender: Sender) -> None:
    """Run the job in the background; kept in `state.jobs` until it ends. One process runs a
    job at a time (a lock held while it runs): a replica starting while another runs the job
    leaves it alone, and resumes it only once that one is gone."""

    async def work() -> None:
        try:
            async with state.store.running_alone(job) as mine:
                if mine:
                    await run(state.store, sender, job, checked, concurrency=state.concurrency)
        finally:
            await sender.close()

    task = asyncio.create_task(work())
    state.jobs.add(task)
    task.add_done_callback(state.jobs.discard)


@router.get("/imports/{import_id}", summary="An import's progress and the rows refused")
async def progress(
    import_id: uuid.UUID, request: Request, principal: CurrentPrincipal
) -> dict[str, Any]:
    authorize(principal, "import.run", _any_region(principal))
    job = await request.app.state.store.job(import_id)
    if job is None or job["uploaded_by"] != principal.subject:
        raise HTTPException(404, "no such import of yours")
    finished = job["done"] + job["skipped"] + job["refused"]
    return {
        **{
            k: (str(v) if k in ("job_id", "created_at", "finished_at") and v else v)
            for k, v in job.items()
        },
        "import_id": str(import_id),
        "percent": round(100 * finished / job["total"], 1) if job["total"] else 100.0,
    }
