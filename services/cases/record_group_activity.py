"""Record a group activity with its headcounts by sex and age group (indirect participants).

No one is named: the activity is counted by headcount, beside the program's unique people and
never added to them. Dated by when it was held (`held_at`), with the field-time rules of every act.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from contracts.group_activities import GroupActivityRecorded, Headcount
from contracts.vocabulary import Region
from eventkit.decider import RefusalKind, Refused
from eventkit.field_time import PROGRAM_RULES, FieldTimeRules, happened
from services.cases.group_activity import GroupActivity


@dataclass(frozen=True)
class RecordGroupActivity:
    activity_id: UUID
    kind: str
    region: Region
    headcounts: tuple[Headcount, ...]
    held_at: datetime | None
    by: UUID
    now: datetime
    rules: FieldTimeRules = PROGRAM_RULES


def decide(command: RecordGroupActivity, state: GroupActivity) -> list[GroupActivityRecorded]:
    """The activity, once: a second recording of the same id is a conflict, not a second count."""
    if state.recorded:
        raise Refused(
            "activity_already_recorded",
            f"group activity {command.activity_id} is already recorded",
            RefusalKind.CONFLICT,
        )
    held_at = happened("held", command.held_at, command.now, command.rules)
    return [
        GroupActivityRecorded(
            activity_id=command.activity_id,
            kind=command.kind,
            region=command.region,
            headcounts=command.headcounts,
            recorded_by=command.by,
            held_at=held_at,
        )
    ]
