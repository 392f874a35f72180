"""HTTP routes of the review queue: list, read (audited), correct and re-apply, discard."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import asyncpg
from fastapi import APIRouter, HTTPException, Path

from access.fastapi import CurrentPrincipal, authorize
from access.policy import ResourceScope
from access.principal import Principal, Region
from access.settings import PersonalDataKeys
from eventkit.decider import Refused
from eventkit.dependencies import Clock, Pool
from eventkit.http import refused
from eventkit.store import Connection
from services.cases.field_forms import queries
from services.cases.field_forms import review_commands as review
from services.cases.field_forms.review_requests import ApplyRequest, DiscardRequest
from services.cases.field_forms.submissions import INSTANCE_ID
from services.cases.settings import Keys

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


Review = Callable[[Connection, PersonalDataKeys], Awaitable[dict[str, Any]]]
"""A review command in its transaction, given the personal data keys."""


async def _reviewed(
    pool: asyncpg.Pool, principal: Principal, instance_id: str, keys: PersonalDataKeys,
    work: Review,
) -> dict[str, Any]:  # fmt: skip
    """`work` on a submission the caller may review, in one transaction; refusals answered
    with their kind's status."""
    await _authorized(pool, principal, instance_id)
    try:
        async with pool.acquire() as conn, conn.transaction():
            return await work(conn, keys)
    except Refused as refusal:
        raise refused(refusal) from None


@router.get("/field-submissions/{instance_id}", summary="A submission in review, with its answers")
async def read(
    instance_id: InstanceId, principal: CurrentPrincipal, *, pool: Pool, keys: Keys
) -> dict[str, Any]:
    return await _reviewed(
        pool, principal, instance_id, keys,
        lambda conn, keys: review.read(conn, keys, instance_id, principal),
    )  # fmt: skip


@router.post("/field-submissions/{instance_id}/application",
             summary="Correct a submission in review and apply it")  # fmt: skip
async def apply(
    instance_id: InstanceId, body: ApplyRequest, principal: CurrentPrincipal,
    *, clock: Clock, pool: Pool, keys: Keys,
) -> dict[str, Any]:  # fmt: skip
    """Applied as the supervisor, with the API's rules; a refusal changes nothing."""
    return await _reviewed(pool, principal, instance_id, keys, lambda conn, keys: review.reapply(
        conn, keys, instance_id, body.answers, principal, clock()))  # fmt: skip


@router.post("/field-submissions/{instance_id}/discarding",
             summary="Discard a submission in review, with a reason")  # fmt: skip
async def discard(
    instance_id: InstanceId, body: DiscardRequest, principal: CurrentPrincipal,
    *, clock: Clock, pool: Pool, keys: Keys,
) -> dict[str, Any]:  # fmt: skip
    return await _reviewed(pool, principal, instance_id, keys, lambda conn, keys: review.discard(
        conn, keys, instance_id, body.reason, principal, clock()))  # fmt: skip
