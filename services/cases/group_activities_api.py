"""HTTP route of group activities: a fair, a talk, a campaign, a post, counted by headcount."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from access.fastapi import CurrentPrincipal, authorize
from access.policy import ResourceScope
from access.principal import Region
from eventkit.dependencies import Clock
from eventkit.http import IdempotencyKey
from eventkit.store import Connection
from services.cases.answers_api import answered
from services.cases.group_activity_commands import ACTION, recorded
from services.cases.group_activity_requests import GroupActivityRequest
from services.cases.ports import Ports
from services.cases.results import ActivityRecorded

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

    async def work(conn: Connection) -> ActivityRecorded:
        return await recorded(Ports.postgres(conn), body, principal, clock())

    return await answered(request, principal, key, body, work, 201)
