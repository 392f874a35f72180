"""The service layer of group activities: record one with its headcounts, audited."""

from __future__ import annotations

from datetime import datetime

from access.actors import actor_id
from access.late_entry import late_entry_note
from access.principal import Principal
from eventkit.aggregate import execute
from eventkit.field_time import configured
from eventkit.ids import new_id
from services.cases import record_group_activity as recording
from services.cases.group_activity import GroupActivity, evolve
from services.cases.group_activity_requests import GroupActivityRequest
from services.cases.ports import Ports
from services.cases.results import ActivityRecorded

ACTION = "group_activity.record"


async def recorded(
    ports: Ports, body: GroupActivityRequest, principal: Principal, now: datetime
) -> ActivityRecorded:
    """One activity and its headcounts; held more than the late-entry delay ago, a supervisor's."""
    rules = configured()
    late = late_entry_note(principal, body.held_at, now, rules)
    command = recording.RecordGroupActivity(
        body.activity_id or new_id(), body.kind, body.region, body.cells(), body.held_at,
        actor_id(principal), now, rules,
    )  # fmt: skip
    decided = await execute(
        ports.store, str(command.activity_id), evolve, GroupActivity(),
        lambda state: recording.decide(command, state), now=now
    )  # fmt: skip
    await ports.audit.done(principal, ACTION, ("group_activity", command.activity_id), late)
    total = sum(cell.count for cell in command.headcounts)
    return ActivityRecorded(command.activity_id, total, decided.appended.version, decided.position)
