"""HTTP routes about what reaches a person outside a case: outreach and livelihood programs."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import asyncpg
from fastapi import APIRouter, Request, Response

from access.fastapi import CurrentPrincipal, authorize, authorize_all
from access.policy import ResourceScope
from access.principal import Principal, Region
from eventkit.dependencies import Clock, Pool
from eventkit.http import IdempotencyKey
from services.cases import participant_acts as commands
from services.cases.acts_requests import (
    EnrolRequest,
    OutcomeRequest,
    OutreachRequest,
    ReachRequest,
    StageRequest,
    TrainingRequest,
)
from services.cases.answers_api import answered
from services.cases.ports import Ports
from services.cases.results import Result
from services.cases.scopes_api import participant_row, person_scopes, scope

router = APIRouter(tags=["outreach and livelihoods"])


@router.post("/outreach", status_code=201, summary="People reached by one activity (bulk)")
async def record_outreach(
    body: OutreachRequest,
    request: Request,
    principal: CurrentPrincipal,
    key: IdempotencyKey = None,
    *,
    clock: Clock,
) -> Response:
    """Up to 10,000 participant ids; all are recorded in one transaction, or none is."""
    authorize(principal, "outreach.record", ResourceScope(region=Region(body.region)))
    return await answered(
        request, principal, key, body,
        lambda conn: commands.reach_many(
            conn, Ports.postgres(conn), body, principal,
            lambda region: authorize(principal, "outreach.record", ResourceScope(region=region)),
            clock(),
        ),
        201,
    )  # fmt: skip


@router.post("/participants/{participant_id}/reaches", status_code=201,
             summary="One person reached by a targeted message")  # fmt: skip
async def record_reach(
    participant_id: uuid.UUID, body: ReachRequest, request: Request,
    principal: CurrentPrincipal, key: IdempotencyKey = None, *, clock: Clock, pool: Pool,
) -> Response:  # fmt: skip
    authorize(principal, "outreach.record", ResourceScope(region=Region(body.region)))
    # The person's region too: outreach is recorded only on the caller's region's people.
    authorize_all(principal, "outreach.record", await person_scopes(pool, participant_id))
    return await answered(
        request, principal, key, body,
        lambda conn: commands.reach(Ports.postgres(conn), participant_id, body, principal, clock()),
        201,
    )  # fmt: skip


Step = Callable[[Ports, uuid.UUID, Region, Any, Principal, datetime], Awaitable[Result]]
"""A livelihood step's service-layer command."""


async def _livelihood(
    step: Step, participant_id: uuid.UUID, body: Any, request: Request, principal: Principal,
    key: str | None, clock: Callable[[], datetime], pool: asyncpg.Pool,
) -> Response:  # fmt: skip
    """A step on the person's record, in the person's region, which must be the caller's (and
    the region of the record it was merged into, which the step is recorded on)."""
    row = await participant_row(pool, participant_id)
    authorize(principal, "livelihood.record", scope(row))
    authorize_all(principal, "livelihood.record", await person_scopes(pool, participant_id))
    region = Region(row["region"])
    return await answered(
        request, principal, key, body,
        lambda conn: step(Ports.postgres(conn), participant_id, region, body, principal, clock()),
        201,
    )  # fmt: skip


@router.post("/participants/{participant_id}/livelihoods/enrolments", status_code=201,
             summary="Enrol in a livelihood program")  # fmt: skip
async def enrol(
    participant_id: uuid.UUID, body: EnrolRequest, request: Request, principal: CurrentPrincipal,
    key: IdempotencyKey = None, *, clock: Clock, pool: Pool,
) -> Response:  # fmt: skip
    return await _livelihood(
        commands.enrol_in, participant_id, body, request, principal, key, clock, pool
    )


@router.post("/participants/{participant_id}/livelihoods/stages", status_code=201,
             summary="Score a selection stage")  # fmt: skip
async def score_stage(
    participant_id: uuid.UUID, body: StageRequest, request: Request, principal: CurrentPrincipal,
    key: IdempotencyKey = None, *, clock: Clock, pool: Pool,
) -> Response:  # fmt: skip
    return await _livelihood(
        commands.score, participant_id, body, request, principal, key, clock, pool
    )


@router.post("/participants/{participant_id}/livelihoods/training", status_code=201,
             summary="Training in a program finished")  # fmt: skip
async def finish_training(
    participant_id: uuid.UUID, body: TrainingRequest, request: Request,
    principal: CurrentPrincipal, key: IdempotencyKey = None, *, clock: Clock, pool: Pool,
) -> Response:  # fmt: skip
    return await _livelihood(
        commands.trained, participant_id, body, request, principal, key, clock, pool
    )


@router.post("/participants/{participant_id}/livelihoods/outcomes", status_code=201,
             summary="A verified livelihood outcome (needs consent for M&E)")  # fmt: skip
async def record_outcome(
    participant_id: uuid.UUID, body: OutcomeRequest, request: Request,
    principal: CurrentPrincipal, key: IdempotencyKey = None, *, clock: Clock, pool: Pool,
) -> Response:  # fmt: skip
    return await _livelihood(
        commands.observed, participant_id, body, request, principal, key, clock, pool
    )
