"""Record that a targeted message reached a person (O.E. 2.5 health services, O.E. 3.6 income
generation).

The bulk form (thousands of people from one activity) is `bulk_outreach.py`; both produce the
same event, one per person and act.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from contracts.outreach import DeliveryMode, MessageReached
from contracts.vocabulary import MessageChannel, MessageTopic, Region
from eventkit.decider import RefusalKind, Refused
from services.cases.participant import Participant, active

_CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class RecordReach:
    reach_id: UUID
    topic: MessageTopic
    channel: MessageChannel
    delivery_mode: DeliveryMode
    region: Region
    reached_at: datetime
    now: datetime


def check_reach(command: RecordReach) -> None:
    """Rules that hold for one reach as for a thousand."""
    if command.reached_at > command.now + _CLOCK_SKEW:
        raise Refused("reached_in_future", "reached_at is in the future", RefusalKind.INVALID)


def reached(command: RecordReach, participant_id: UUID) -> MessageReached:
    """The event of one person reached by one act."""
    return MessageReached(
        reach_id=command.reach_id,
        participant_id=participant_id,
        topic=command.topic,
        channel=command.channel,
        delivery_mode=command.delivery_mode,
        region=command.region,
        reached_at=command.reached_at,
    )


def decide(command: RecordReach, state: Participant) -> list[MessageReached]:
    """One registered, unmerged person reached."""
    participant_id = active(state)
    check_reach(command)
    return [reached(command, participant_id)]
