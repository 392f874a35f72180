"""HTTP routes about what reaches a person outside a case: outreach and livelihood programs."""

from __future__ import annotations

import uuid

import asyncpg
from fastapi import APIRouter, Request, Response

from access.fastapi import CurrentPrincipal, authorize, authorize_all
from access.policy import ResourceScope
from access.principal import Region
from eventkit.dependencies import Clock, Pool
from eventkit.field_time import configured
from eventkit.http import IdempotencyKey, run_command
from eventkit.ids import new_id
from services.cases import enrol as enrolment
from services.cases import finish_training as training
from services.cases import livelihoods
from services.cases import record_outcome as outcomes
from services.cases import record_reach as reaching
from services.cases import score_stage as scoring
from services.cases.acts_requests import (
    EnrolRequest,
    OutcomeRequest,
    OutreachRequest,
    ReachRequest,
    StageRequest,
    TrainingRequest,
)
from services.cases.participant_acts import act, reach_many
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
    command = reach_many(
        body,
        principal,
        lambda region: authorize(principal, "outreach.record", ResourceScope(region=region)),
        clock=clock,
    )
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


@router.post("/participants/{participant_id}/reaches", status_code=201,
             summary="One person reached by a targeted message")  # fmt: skip
async def record_reach(
    participant_id: uuid.UUID, body: ReachRequest, request: Request,
    principal: CurrentPrincipal, key: IdempotencyKey = None,
    *, clock: Clock,
pool: Pool,) -> Response:  # fmt: skip
    authorize(principal, "outreach.record", ResourceScope(region=Region(body.region)))
    # The person's region too: outreach is recorded only on the caller's region's people.
    authorize_all(principal, "outreach.record", await person_scopes(pool, participant_id))
    reach_id = new_id()
    command = act(
        participant_id, "outreach.record",
        lambda s, by, now: reaching.decide(
            reaching.RecordReach(
                reach_id, body.topic, body.channel, body.delivery_mode, body.region,
                body.reached_at, now, configured(),
            ), s,
        ),
        principal,
        clock=clock, occurred_at=body.reached_at,
    )  # fmt: skip
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


async def _region(
    pool: asyncpg.Pool, participant_id: uuid.UUID, principal: CurrentPrincipal
) -> Region:
    row = await participant_row(pool, participant_id)
    authorize(principal, "livelihood.record", scope(row))
    # The record it was merged into, which the step is recorded on, must be in reach too.
    authorize_all(principal, "livelihood.record", await person_scopes(pool, participant_id))
    return Region(row["region"])


@router.post("/participants/{participant_id}/livelihoods/enrolments", status_code=201,
             summary="Enrol in a livelihood program")  # fmt: skip
async def enrol(
    participant_id: uuid.UUID, body: EnrolRequest, request: Request, principal: CurrentPrincipal,
    key: IdempotencyKey = None,
    *, clock: Clock,
pool: Pool,) -> Response:  # fmt: skip
    region = await _region(pool, participant_id, principal)
    command = act(
        participant_id, "livelihood.enrol",
        lambda s, by, now: enrolment.decide(
            enrolment.Enrol(
                livelihoods.Step(
                    body.program, region, by, body.enrolled_at or now, now, configured()
                )
            ), s,
        ),
        principal,
        clock=clock, occurred_at=body.enrolled_at,
    )  # fmt: skip
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


@router.post("/participants/{participant_id}/livelihoods/stages", status_code=201,
             summary="Score a selection stage")  # fmt: skip
async def score_stage(
    participant_id: uuid.UUID, body: StageRequest, request: Request, principal: CurrentPrincipal,
    key: IdempotencyKey = None,
    *, clock: Clock,
pool: Pool,) -> Response:  # fmt: skip
    region = await _region(pool, participant_id, principal)
    command = act(
        participant_id, "livelihood.score",
        lambda s, by, now: scoring.decide(
            scoring.ScoreStage(
                livelihoods.Step(
                    body.program, region, by, body.scored_at or now, now, configured()
                ),
                body.stage, body.score, body.passed,
            ), s,
        ),
        principal,
        clock=clock, occurred_at=body.scored_at,
    )  # fmt: skip
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


@router.post("/participants/{participant_id}/livelihoods/training", status_code=201,
             summary="Training in a program finished")  # fmt: skip
async def finish_training(
    participant_id: uuid.UUID, body: TrainingRequest, request: Request,
    principal: CurrentPrincipal, key: IdempotencyKey = None,
    *, clock: Clock,
pool: Pool,) -> Response:  # fmt: skip
    region = await _region(pool, participant_id, principal)
    command = act(
        participant_id, "livelihood.training",
        lambda s, by, now: training.decide(
            training.FinishTraining(
                livelihoods.Step(
                    body.program, region, by, body.finished_at or now, now, configured()
                )
            ), s,
        ),
        principal,
        clock=clock, occurred_at=body.finished_at,
    )  # fmt: skip
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)


@router.post("/participants/{participant_id}/livelihoods/outcomes", status_code=201,
             summary="A verified livelihood outcome (needs consent for M&E)")  # fmt: skip
async def record_outcome(
    participant_id: uuid.UUID, body: OutcomeRequest, request: Request,
    principal: CurrentPrincipal, key: IdempotencyKey = None,
    *, clock: Clock,
pool: Pool,) -> Response:  # fmt: skip
    region = await _region(pool, participant_id, principal)
    outcome_id = new_id()
    command = act(
        participant_id, "livelihood.outcome",
        lambda s, by, now: outcomes.decide(
            outcomes.RecordOutcome(
                livelihoods.Step(body.program, region, by, body.observed_at, now, configured()),
                outcome_id, body.outcome,
            ), s,
        ),
        principal,
        clock=clock, occurred_at=body.observed_at,
    )  # fmt: skip
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)
