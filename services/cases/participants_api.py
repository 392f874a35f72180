"""HTTP routes about people: register, correct, merge, search, consent, erase, read, timeline."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from access.blind_index import Kind
from access.fastapi import CurrentPrincipal, authorize, authorize_all
from access.policy import ResourceScope
from access.principal import Region
from eventkit.decider import Refused
from eventkit.dependencies import Clock, Pool
from eventkit.http import ExpectedVersion, IdempotencyKey, refused, run_command
from services.cases import participant_commands as commands
from services.cases import personal_data, queries
from services.cases.audit import audit
from services.cases.participant_requests import (
    CorrectRequest,
    ErasureRequest,
    MergeRequest,
    RegisterRequest,
    SearchRequest,
)
from services.cases.scopes_api import (
    participant_row,
    person_scopes,
    scope,
)

router = APIRouter(tags=["participants"])
SENSITIVE = "case.read_sensitive"


def _keys(request: Request) -> Any:
    return request.app.state.personal_data_keys


@router.post("/participants", status_code=201, summary="Register a participant")
async def register(
    body: RegisterRequest,
    request: Request,
    principal: CurrentPrincipal,
    key: IdempotencyKey = None,
    *,
    clock: Clock,
) -> Response:
    authorize(principal, "participant.register", ResourceScope(region=Region(body.region)))
    command = commands.register_participant(body, principal, _keys(request), clock=clock)
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


@router.post("/participants/search", summary="Find records by document number or phone (dedup)")
async def search(
    body: SearchRequest, request: Request, principal: CurrentPrincipal, *, pool: Pool
) -> dict[str, Any]:
    """Ids, regions and how they matched (exact or normalized); never anyone's data."""
    authorize(principal, "participant.search", ResourceScope())
    kind, value = (
        (Kind.DOCUMENT, body.document_number) if body.document_number else (Kind.PHONE, body.phone)
    )
    assert value is not None
    secret = _keys(request).blind_index_secret()
    try:
        async with pool.acquire() as conn, conn.transaction():
            found = await personal_data.find(conn, kind, value, secret)
            # The audit names what kind of number was looked up, never the number.
            await audit(conn, principal, "participant.search", ("participant_lookup", kind.value))
    except Refused as refusal:
        raise refused(refusal) from None
    return {"matches": found}


@router.get("/participants/{participant_id}", summary="A participant with personal data (audited)")
async def read(
    participant_id: uuid.UUID, request: Request, principal: CurrentPrincipal, *, pool: Pool
) -> Response:
    row = await participant_row(pool, participant_id)
    grant = authorize(principal, "participant.read_personal", scope(row)).grant_id
    async with pool.acquire() as conn, conn.transaction():
        fields = await queries.personal(conn, _keys(request), row)
        await audit(
            conn, principal, "participant.read_personal", ("participant", participant_id), grant
        )
    body = {**queries.plain(row), "personal": fields}
    return JSONResponse(body, headers={"ETag": f'"{row["version"]}"'})


@router.post("/participants/{participant_id}/corrections", summary="Correct a record")
async def correct(
    participant_id: uuid.UUID,
    body: CorrectRequest,
    request: Request,
    principal: CurrentPrincipal,
    expected: ExpectedVersion,
    key: IdempotencyKey = None,
    *,
    clock: Clock,
    pool: Pool,
) -> Response:
    authorize(principal, "participant.correct", scope(await participant_row(pool, participant_id)))
    if body.region is not None:  # moving a person to a region the caller does not work in
        authorize(principal, "participant.correct", ResourceScope(region=Region(body.region)))
    command = commands.correct_participant(
        participant_id, body, principal, _keys(request), expected, clock=clock
    )
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


@router.post("/participants/{participant_id}/merge", summary="Merge a duplicate into a record")
async def merge(
    participant_id: uuid.UUID,
    body: MergeRequest,
    request: Request,
    principal: CurrentPrincipal,
    expected: ExpectedVersion,
    key: IdempotencyKey = None,
    *,
    clock: Clock,
    pool: Pool,
) -> Response:
    authorize(principal, "participant.merge", scope(await participant_row(pool, participant_id)))
    # Merging joins two people's histories: the caller must hold the surviving record's region.
    into = await person_scopes(pool, body.into_participant_id)
    authorize_all(principal, "participant.merge", into)
    command = commands.merge_participant(participant_id, body, principal, expected, clock=clock)
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


@router.post("/participants/{participant_id}/erasure", summary="Erase personal data (shredding)")
async def erase(
    participant_id: uuid.UUID,
    body: ErasureRequest,
    request: Request,
    principal: CurrentPrincipal,
    key: IdempotencyKey = None,
    *,
    clock: Clock,
    pool: Pool,
) -> Response:
    """Destroys the person's data key: names, numbers and notes become unreadable for good."""
    authorize(principal, "participant.erase", scope(await participant_row(pool, participant_id)))
    command = commands.erase_personal_data(
        participant_id, body.basis, principal, _keys(request), clock=clock
    )
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


@router.get(
    "/participants/{participant_id}/timeline", summary="Everything about a person (audited)"
)
async def timeline(
    participant_id: uuid.UUID, pool: Pool, principal: CurrentPrincipal
) -> dict[str, Any]:
    """Events only (no personal data), but they reveal GBV cases: audited as a sensitive read."""
    grant = authorize(
        principal, SENSITIVE, scope(await participant_row(pool, participant_id))
    ).grant_id
    async with pool.acquire() as conn, conn.transaction():
        events = await queries.timeline(conn, participant_id)
        await audit(conn, principal, "participant.timeline", ("participant", participant_id), grant)
    return {"participant_id": str(participant_id), "events": events}
