"""HTTP routes of the review queue: list, read (audited), correct and re-apply, discard."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request, Response
from fastapi.responses import JSONResponse

from access.fastapi import CurrentPrincipal, authorize
from access.policy import ResourceScope
from access.principal import Principal, Region
from eventkit.decider import Refused
from eventkit.dependencies import Clock, Pool
from eventkit.http import refused
from services.cases.field_forms import queries
from services.cases.field_forms import review_commands as review
from services.cases.field_forms.review_requests import ApplyRequest, DiscardRequest
from services.cases.field_forms.submissions import INSTANCE_ID

router = APIRouter(tags=["field forms"])
REVIEW = "field_submission.review"
InstanceId = Annotated[str, Path(pattern=INSTANCE_ID, description="`meta/instanceID`")]


async def _authorized(pool: Any, principal: Principal, instance_id: str) -> None:
    region = await queries.region_of(pool, instance_id)
    if region is None:  # whether it exists is for reviewers to learn: others are refused first
        authorize(principal, REVIEW, ResourceScope(region=min(principal.regions, default=None)))
        raise HTTPException(404, {"rule": "submission_not_found", "message": "no such submission"})
    authorize(principal, REVIEW, ResourceScope(region=Region(region)))


@router.get("/field-submissions/review", summary="Field submissions waiting in review")
async def waiting(principal: CurrentPrincipal, *, pool: Pool) -> dict[str, Any]:
    """Reasons and who sent what when; the answers are read one by one (audited)."""
    regions: list[Region | None] = [*sorted(principal.regions)] or [None]
    for region in regions:
        authorize(principal, REVIEW, ResourceScope(region=region))
    async with pool.acquire() as conn:
        found = await queries.waiting(conn, sorted(principal.regions))
    return {"submissions": found}


@router.get("/field-submissions/{instance_id}", summary="A submission in review, with its answers")
async def read(
    instance_id: InstanceId, request: Request, principal: CurrentPrincipal, *, pool: Pool
) -> dict[str, Any]:
    await _authorized(pool, principal, instance_id)
    try:
        async with pool.acquire() as conn, conn.transaction():
            return await review.read(
                conn, request.app.state.personal_data_keys, instance_id, principal
            )
    except Refused as refusal:
        raise refused(refusal) from None


@router.post("/field-submissions/{instance_id}/application",
             summary="Correct a submission in review and apply it")  # fmt: skip
async def apply(
    instance_id: InstanceId, body: ApplyRequest, request: Request, principal: CurrentPrincipal,
    *, clock: Clock, pool: Pool,
) -> Response:  # fmt: skip
    """Applied as the supervisor, with the API's rules; a refusal changes nothing."""
    await _authorized(pool, principal, instance_id)
    keys = request.app.state.personal_data_keys
    try:
        async with pool.acquire() as conn, conn.transaction():
            answer = await review.reapply(conn, keys, instance_id, body.answers, principal, clock())
    except Refused as refusal:
        raise refused(refusal) from None
    return JSONResponse(answer.body, status_code=answer.status_code)


@router.post("/field-submissions/{instance_id}/discarding",
             summary="Discard a submission in review, with a reason")  # fmt: skip
async def discard(
    instance_id: InstanceId, body: DiscardRequest, request: Request, principal: CurrentPrincipal,
    *, clock: Clock, pool: Pool,
) -> Response:  # fmt: skip
    await _authorized(pool, principal, instance_id)
    keys = request.app.state.personal_data_keys
    try:
        async with pool.acquire() as conn, conn.transaction():
            answer = await review.discard(conn, keys, instance_id, body.reason, principal, clock())
    except Refused as refusal:
        raise refused(refusal) from None
    return JSONResponse(answer.body, status_code=answer.status_code)
