"""HTTP routes for consent per purpose: record, withdraw, list."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response

from access.fastapi import CurrentPrincipal, authorize, authorize_all
from eventkit.dependencies import Clock, Pool
from eventkit.http import IdempotencyKey
from services.cases import consent_commands as commands
from services.cases import queries
from services.cases.answers_api import answered
from services.cases.audit import audit
from services.cases.participant_requests import ConsentRequest, WithdrawRequest
from services.cases.ports import Ports
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
    return await answered(
        request, principal, key, body,
        lambda conn: commands.give(Ports.postgres(conn), participant_id, body, principal, clock()),
        201,
    )  # fmt: skip


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
    return await answered(
        request, principal, key, body,
        lambda conn: commands.withdraw(
            Ports.postgres(conn), participant_id, consent_id, body, principal, clock()
        ),
    )  # fmt: skip


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
