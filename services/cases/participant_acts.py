"""The service layer for what happens to a person outside a case: outreach and livelihoods."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime

from access.actors import actor_id
from access.late_entry import late_entry_note
from access.principal import Principal, Region
from contracts.event import Event
from eventkit.aggregate import execute
from eventkit.clock import Now
from eventkit.field_time import configured
from eventkit.idempotency import Answer, Command
from eventkit.ids import new_id
from eventkit.store import Connection
from services.cases import bulk_outreach
from services.cases.acts_requests import OutreachRequest
from services.cases.audit import audit
from services.cases.participant import Participant, evolve
from services.cases.ports import Ports
from services.cases.record_reach import RecordReach

Act = Callable[[Participant, uuid.UUID, datetime], Sequence[Event]]
"""A participant rule given the state, the acting staff member's id and the time."""


def act(
    participant_id: uuid.UUID,
    action: str,
    rule: Act,
    principal: Principal,
    *,
    clock: Now,
    occurred_at: datetime | None = None,
) -> Command:
    async def run(conn: Connection) -> Answer:
        return await acted(Ports.postgres(conn), participant_id, action, rule, principal, clock(),
                           occurred_at)  # fmt: skip

    return run


async def acted(
    ports: Ports,
    participant_id: uuid.UUID,
    action: str,
    rule: Act,
    principal: Principal,
    now: datetime,
    occurred_at: datetime | None = None,
) -> Answer:
    """One fact about one person (a livelihood step, one reach), on the surviving record;
    `occurred_at`, the moment the rule was given: late, a supervisor's."""
    late = late_entry_note(principal, occurred_at, now, configured())
    target = await ports.views.surviving(participant_id)
    by = actor_id(principal)
    decided = await execute(
        ports.store, str(target), evolve, Participant(), lambda s: rule(s, by, now)
    )
    await ports.views.record(decided.events, decided.appended.version)
    await ports.audit.done(principal, action, ("participant", target), late)
    return Answer(
        201,
        {
            "participant_id": str(target),
            "version": decided.appended.version,
            "position": decided.position,
        },
    )


def reach_many(
    body: OutreachRequest,
    principal: Principal,
    may_reach: Callable[[Region], object],
    *,
    clock: Now,
) -> Command:
    """Everyone an activity reached, in one transaction or none; `may_reach` refuses a region
    the caller may not record outreach in (it raises)."""

    async def run(conn: Connection) -> Answer:
        rules, now = configured(), clock()
        late = late_entry_note(principal, body.reached_at, now, rules)
        template = RecordReach(
            new_id(), body.topic, body.channel, body.delivery_mode, body.region,
            body.reached_at, now, rules,
        )  # fmt: skip
        # Everyone reached must be the caller's region's (a merged id: its survivor's too).
        for region in await bulk_outreach.regions(conn, body.participant_ids):
            may_reach(Region(region))
        reached = await bulk_outreach.record_many(conn, template, body.participant_ids, clock=clock)
        await audit(conn, principal, "outreach.record", ("activity", template.reach_id), late)
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
