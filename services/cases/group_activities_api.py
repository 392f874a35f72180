"""HTTP route of group activities: a fair, a talk, a campaign, a post, counted by headcount."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from access.fastapi import CurrentPrincipal, authorize
from access.policy import ResourceScope
from access.principal import Region
from eventkit.dependencies import Clock
from eventkit.http import IdempotencyKey, run_command
from services.cases.group_activity_commands import ACTION, record
from services.cases.group_activity_requests import GroupActivityRequest

router = APIRouter(tags=["group activities"])


@router.post(
    "/group-activities",
    status_code=201,
    summary="A group activity and its headcounts by sex and age group (no one named)",
)
async def record_group_activity(
    body: GroupActivityRequest,
    request: Request,
    principal: CurrentPrincipal,
    key: IdempotencyKey = None,
    *,
    clock: Clock,
) -> Response:
    """Indirect participants: counted apart from the unique people, never added to them."""
    authorize(principal, ACTION, ResourceScope(region=Region(body.region)))
    command = record(body, principal, clock=clock)
    return await run_command(request, principal, key, body.model_dump(mode="json"), command)
