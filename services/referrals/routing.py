"""What the referrals routes share: the app's deadlines and key, the client's `If-Match`, where a
referral belongs, and how the service layer's results are answered."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, HTTPException, Request

from access.crypto import MasterKey
from access.policy import ResourceScope
from access.principal import Region
from eventkit.decider import RefusalKind, Refused
from eventkit.http import refused
from eventkit.idempotency import Answer, Command
from eventkit.store import Connection
from services.referrals import queries
from services.referrals.commands import Done, Requested
from services.referrals.deadlines import Deadlines
from services.referrals.ports import PostgresPorts


def app_deadlines(request: Request) -> Deadlines:
    """The answer deadlines the app was built with (`PANA_REFERRAL_DEADLINE_HOURS`)."""
    deadlines: Deadlines = request.app.state.deadlines
    return deadlines


def app_master(request: Request) -> MasterKey:
    """The personal-data master key the app was built with."""
    master: MasterKey = request.app.state.master_key
    return master


AppDeadlines = Annotated[Deadlines, Depends(app_deadlines)]
Master = Annotated[MasterKey, Depends(app_master)]


async def referral_row(conn: Connection, referral_id: uuid.UUID) -> dict[str, Any]:
    """The referral's read-model row (404 when there is none)."""
    row = await queries.referral_row(conn, referral_id)
    if row is None:
        raise not_found()
    return row


def not_found() -> HTTPException:
    return refused(Refused("referral_not_found", "no such referral", RefusalKind.NOT_FOUND))


def region_of(row: dict[str, Any]) -> ResourceScope:
    """The scope a referring team's action on this referral is checked against."""
    return ResourceScope(region=Region(row["region"]))


def etag(version: int) -> str:
    """The ETag of a referral at stream `version` (what `If-Match` sends back)."""
    return f'"{version}"'


def team_view(row: dict[str, Any]) -> dict[str, Any]:
    """A referral as the referring team follows it (no personal data)."""
    keep = (
        "referral_id", "case_id", "participant_id", "destination", "unit_id", "unit_name",
        "region", "urgency", "assistance_type", "reason", "status", "requested_at", "respond_by",
        "overdue_at", "answered_at", "answer_channel", "answerer_role", "rejection_reason",
        "outcome", "closed_at", "cancellation_reason", "version",
    )  # fmt: skip
    return {k: str(row[k]) if isinstance(row[k], uuid.UUID) else row[k] for k in keep if k in row}


R = TypeVar("R", Requested, Done)


def answered(
    master: MasterKey, work: Callable[[Connection, PostgresPorts], Awaitable[R]]
) -> Command:
    """`work` in the command's transaction over `PostgresPorts`, answered 201 with where a
    requested referral went, or 200 with the status a referral moved to."""

    async def run(conn: Connection) -> Answer:
        done = await work(conn, PostgresPorts(conn, master))
        common = {"version": done.version, "position": done.position}
        if isinstance(done, Done):
            return Answer(
                200, {"referral_id": str(done.referral_id), "status": str(done.status), **common}
            )
        return Answer(
            201,
            {
                "referral_id": str(done.referral_id),
                "destination": done.destination,
                "unit_id": str(done.unit_id),
                "status": "requested",
                "respond_by": done.respond_by.isoformat(),
                "shared_fields": list(done.shared_fields),
                **common,
            },
        )

    return run
