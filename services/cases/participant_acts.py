"""The service layer for what happens to a person outside a case: outreach and livelihoods."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime

from access.actors import actor_id
from access.fastapi import authorize
from access.policy import ResourceScope
from access.principal import Principal, Region
from contracts.event import Event
from eventkit.aggregate import execute
from eventkit.clock import Now
from eventkit.idempotency import Answer, Command
from eventkit.ids import new_id
from eventkit.store import Connection
from services.cases import bulk_outreach, views
from services.cases.acts_requests import OutreachRequest
from services.cases.outreach import RecordReach
from services.cases.participant import Participant, evolve
from services.cases.staff import audit, surviving

Act = Callable[[Participant, uuid.UUID, datetime], Sequence[Event]]
"""A participant rule given the state, the acting staff member's id and the time."""


def act(
    participant_id: uuid.UUID, action: str, rule: Act, principal: Principal, *, clock: Now
) -> Command:
    """One fact about one person (a livelihood step, one reach), on the surviving record."""

    async def run(conn: Connection) -> Answer:
        target = await surviving(conn, participant_id)
        by, now = actor_id(principal), clock()
        decided = await execute(
            conn, str(target), evolve, Participant(), lambda s: rule(s, by, now)
        )
        await views.record(conn, decided.events, decided.appended.version)
        await audit(conn, principal, action, ("participant", target))
        return Answer(
            201,
            {
                "participant_id": str(target),
                "version": decided.appended.version,
                "position": decided.position,
            },
        )

    return run


def reach_many(body: OutreachRequest, principal: Principal, *, clock: Now) -> Command:
    """Everyone an activity reached, in one transaction or none."""

    async def run(conn: Connection) -> Answer:
        template = RecordReach(
            new_id(), body.topic, body.channel, body.delivery_mode, body.region,
            body.reached_at, clock(),
        )  # fmt: skip
        # Everyone reached must be the caller's region's (a merged id: its survivor's too).
        for region in await bulk_outreach.regions(conn, body.participant_ids):
            authorize(principal, "outreach.record", ResourceScope(region=Region(region)))
        reached = await bulk_outreach.record_many(conn, template, body.participant_ids, clock=clock)
        await audit(conn, principal, "outreach.record", ("activity", template.reach_id))
        return Answer(
            201,
            {
                "activity_id": str(template.reach_id),
                "reached": len(reached),
                "reaches": reached,
                "position": reached[-1]["event_id"] if reached else None,
            },
        )

    return run
