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
from eventkit.http import ExpectedVersion, IdempotencyKey, refused
from eventkit.store import Connection
from services.cases import participant_commands as commands
from services.cases import personal_data, queries
from services.cases.answers_api import answered
from services.cases.audit import audit
from services.cases.participant_requests import (
    CorrectRequest,
    ErasureRequest,
    MergeRequest,
    RegisterRequest,
    SearchRequest,
)
from services.cases.ports import Ports, PostgresPersonalData
from services.cases.results import Result
from services.cases.scopes_api import (
    participant_row,
    person_scopes,
    scope,
)
from services.cases.settings import Keys

router = APIRouter(tags=["participants"])
SENSITIVE = "case.read_sensitive"


@router.post("/participants", status_code=201, summary="Register a participant")
async def register(
    body: RegisterRequest,
    request: Request,
    principal: CurrentPrincipal,
    key: IdempotencyKey = None,
    *,
    clock: Clock,
    keys: Keys,
) -> Response:
    authorize(principal, "participant.register", ResourceScope(region=Region(body.region)))

    async def work(conn: Connection) -> Result:
        personal = PostgresPersonalData(conn, keys)
        return await commands.register_in(
            Ports.postgres(conn), personal, personal, body, principal, clock()
        )

    return await answered(request, principal, key, body, work, 201)


@router.post("/participants/search", summary="Find records by document number or phone (dedup)")
async def search(
    body: SearchRequest, principal: CurrentPrincipal, *, pool: Pool, keys: Keys
) -> dict[str, Any]:
    """Ids, regions and how they matched (exact or normalized); never anyone's data."""
    authorize(principal, "participant.search", ResourceScope())
    kind, value = (
        (Kind.DOCUMENT, body.document_number) if body.document_number else (Kind.PHONE, body.phone)
    )
    assert value is not None
    secret = keys.blind_index_secret()
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
    participant_id: uuid.UUID, principal: CurrentPrincipal, *, pool: Pool, keys: Keys
) -> Response:
    row = await participant_row(pool, participant_id)
    grant = authorize(principal, "participant.read_personal", scope(row)).grant_id
    async with pool.acquire() as conn, conn.transaction():
        fields = await queries.personal(conn, keys, row)
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
    keys: Keys,
) -> Response:
    authorize(principal, "participant.correct", scope(await participant_row(pool, participant_id)))
    if body.region is not None:  # moving a person to a region the caller does not work in
        authorize(principal, "participant.correct", ResourceScope(region=Region(body.region)))

    async def work(conn: Connection) -> Result:
        personal = PostgresPersonalData(conn, keys)
        return await commands.correct_in(
            Ports.postgres(conn), personal, participant_id, body, principal, expected, clock()
        )

    return await answered(request, principal, key, body, work)


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

    async def work(conn: Connection) -> Result:
        return await commands.merge_into(
            Ports.postgres(conn), participant_id, body, principal, expected, clock()
        )

    return await answered(request, principal, key, body, work)


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
    keys: Keys,
) -> Response:
    """Destroys the person's data key: names, numbers and notes become unreadable for good."""
    authorize(principal, "participant.erase", scope(await participant_row(pool, participant_id)))

    async def work(conn: Connection) -> Result:
        personal = PostgresPersonalData(conn, keys)
        return await commands.erase_in(
            Ports.postgres(conn), personal, participant_id, body.basis, principal, clock()
        )

    return await answered(request, principal, key, body, work)


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
