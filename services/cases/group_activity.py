"""The group-activity aggregate's state, folded from its events (pure).

One stream per activity (`activity_id`): a fair, a talk, a health campaign or a social-media post,
recorded once with its headcounts. It names no one, so nothing else ever happens to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from contracts.event import Event
from contracts.group_activities import GroupActivityRecorded


@dataclass(frozen=True)
class GroupActivity:
    """What the rules need to know: whether, and when, the activity was recorded."""

    held_at: datetime | None = None

    @property
    def recorded(self) -> bool:
        return self.held_at is not None


def evolve(state: GroupActivity, event: Event) -> GroupActivity:
    match event:
        case GroupActivityRecorded():
            return GroupActivity(held_at=event.held_at)
    return state
