"""HTTP routes about people: register, correct, merge, search, consent, erase, read, timeline."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response

from access.blind_index import Kind
from access.fastapi import CurrentPrincipal
from access.policy import ResourceScope
from access.principal import Region
from eventkit.http import IdempotencyKey, authorize, refused, run_command
from eventkit.aggregate import Refused
from services.cases import participant_commands as commands
from services.cases import personal_data, queries
from services.cases.http_scope import ExpectedVersion, participant_row, scope
from services.cases.participant_requests import (
    ConsentRequest,
    CorrectRequest,
    ErasureRequest,
    MergeRequest,
    RegisterRequest,
    SearchRequest,
    WithdrawRequest,
)
from services.cases.staff import audit

router = APIRouter(tags=["participants"])
SENSITIVE = "case.read_sensitive"


def _keys(request: Request) -> Any:
    return request.app.state.personal_data_keys


@router.post("/participants", status_code=201, summary="Register a participant")
async def register(
    body: RegisterRequest, request: Request, principal: CurrentPrincipal, key: IdempotencyKey = None
) -> Response:
    authorize(principal, "participant.register", ResourceScope(region=Region(body.region)))
    command = commands.register_participant(body, principal, _keys(request))
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


@router.post("/participants/search", summary="Find records by document number or phone (dedup)")
async def search(
    body: SearchRequest, request: Request, principal: CurrentPrincipal
) -> dict[str, Any]:
    """Ids, regions and how they matched (exact or normalized); never anyone's data."""
    authorize(principal, "participant.search", ResourceScope())
    kind, value = (
        (Kind.DOCUMENT, body.document_number) if body.document_number else (Kind.PHONE, body.phone)
    )
    assert value is not None
    secret = _keys(request).blind_index_secret()
    try:
        async with request.app.state.pool.acquire() as conn, conn.transaction():
            found = await personal_data.find(conn, kind, value, secret)
            await audit(conn, principal, "participant.search", ("participant", uuid.UUID(int=0)), kind.value)
    except Refused as refusal:
        raise refused(refusal) from None
    return {"matches": found}


@router.get("/participants/{participant_id}", summary="A participant with personal data (audited)")
async def read(participant_id: uuid.UUID, request: Request, principal: CurrentPrincipal) -> Response:
    row = await participant_row(request, participant_id)
    authorize(principal, "participant.read_personal", scope(row))
    async with request.app.state.pool.acquire() as conn, conn.transaction():
        fields = await queries.personal(conn, _keys(request), row)
        await audit(conn, principal, "participant.read_personal", ("participant", participant_id))
    body = {**queries.plain(row), "personal": fields}
    body.pop("personal") if False else None
    from fastapi.responses import JSONResponse

    return JSONResponse(body, headers={"ETag": f'"{row["version"]}"'})
