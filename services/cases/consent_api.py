"""HTTP routes for consent per purpose: record, withdraw, list."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response

from access.fastapi import CurrentPrincipal, authorize, authorize_all
from eventkit.dependencies import Clock, Pool
from eventkit.http import IdempotencyKey, run_command
from services.cases import consent_commands as commands
from services.cases import queries
from services.cases.audit import audit
from services.cases.participant_requests import ConsentRequest, WithdrawRequest
from services.cases.scopes_api import participant_row, person_scopes, scope

router = APIRouter(tags=["consent"])


@router.post("/participants/{participant_id}/consents", status_code=201, summary="Record consent")
async def give_consent(
    participant_id: uuid.UUID,
    body: ConsentRequest,
    request: Request,
    principal: CurrentPrincipal,
    key: IdempotencyKey = None,
    *,
    clock: Clock,
    pool: Pool,
) -> Response:
    # A merged id records on the survivor: its region must be the caller's too.
    authorize_all(principal, "consent.record", await person_scopes(pool, participant_id))
    command = commands.give_consent(participant_id, body, principal, clock=clock)
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


@router.post(
    "/participants/{participant_id}/consents/{consent_id}/withdrawal",
    summary="Withdraw some or all purposes of a consent",
)
async def withdraw_consent(
    participant_id: uuid.UUID,
    consent_id: uuid.UUID,
    body: WithdrawRequest,
    request: Request,
    principal: CurrentPrincipal,
    key: IdempotencyKey = None,
    *,
    clock: Clock,
    pool: Pool,
) -> Response:
    # A merged id records on the survivor: its region must be the caller's too.
    authorize_all(principal, "consent.record", await person_scopes(pool, participant_id))
    command = commands.withdraw_consent(participant_id, consent_id, body, principal, clock=clock)
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


@router.get("/participants/{participant_id}/consents", summary="A participant's consents")
async def list_consents(
    participant_id: uuid.UUID, pool: Pool, principal: CurrentPrincipal
) -> dict[str, Any]:
    where = scope(await participant_row(pool, participant_id))
    grant = authorize(principal, "consent.record", where).grant_id
    async with pool.acquire() as conn, conn.transaction():
        found = await queries.consents(conn, participant_id)
        await audit(conn, principal, "consent.list", ("participant", participant_id), grant)
    return {"consents": found}
