"""Record that a targeted message reached a person (O.E. 2.5 health services, O.E. 3.6 income
generation).

The bulk form (thousands of people from one activity) is `bulk_outreach.py`; both produce the
same event, one per person and act.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from contracts.outreach import DeliveryMode, MessageReached
from contracts.vocabulary import MessageChannel, MessageTopic, Region
from eventkit.admin2 import check_admin2
from eventkit.field_time import PROGRAM_RULES, FieldTimeRules, happened
from services.cases.participant import Participant, active


@dataclass(frozen=True)
class RecordReach:
    reach_id: UUID
    topic: MessageTopic
    channel: MessageChannel
    delivery_mode: DeliveryMode
    region: Region
    reached_at: datetime
    now: datetime
    rules: FieldTimeRules = PROGRAM_RULES
    admin2: str | None = None


def check_reach(command: RecordReach) -> None:
    """Rules that hold for one reach as for a thousand."""
    happened("reached", command.reached_at, command.now, command.rules)
    check_admin2(command.admin2, command.region)


def reached(command: RecordReach, participant_id: UUID) -> MessageReached:
    """The event of one person reached by one act."""
    return MessageReached(
        reach_id=command.reach_id,
        participant_id=participant_id,
        topic=command.topic,
        channel=command.channel,
        delivery_mode=command.delivery_mode,
        region=command.region,
        admin2=command.admin2,
        reached_at=command.reached_at,
    )


def decide(command: RecordReach, state: Participant) -> list[MessageReached]:
    """One registered, unmerged person reached."""
    participant_id = active(state)
    check_reach(command)
    happened(
        "reached", command.reached_at, command.now, command.rules,
        [("registration", state.registered_at)],
    )  # fmt: skip
    return [reached(command, participant_id)]
