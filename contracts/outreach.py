"""Events that count people reached outside a case: targeted messages and livelihood outcomes.

Both belong to the participant's stream, because most people reached by a message never open a
case. ``message.reached`` is the worked example of a breaking change: version 2 added the
required ``delivery_mode`` (see ``contracts.upcasting`` for how version 1 is still read).
"""

from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from contracts.codes import Admin2Code
from contracts.participants import ParticipantEvent
from contracts.scalars import UtcDateTime
from contracts.vocabulary import (
    LivelihoodOutcome,
    LivelihoodProgram,
    MessageChannel,
    MessageTopic,
    Region,
)


class DeliveryMode(StrEnum):
    """Whether a message reached the person face to face or remotely."""

    IN_PERSON = "in_person"
    REMOTE = "remote"


class MessageReachedV1(ParticipantEvent):
    """Version 1 of ``message.reached``: kept so that old messages on the topics stay readable.

    Producers no longer emit it; ``contracts.upcasting`` turns it into the current version.
    """

    event_type: ClassVar[str] = "message.reached"
    version: ClassVar[int] = 1

    reach_id: UUID
    participant_id: UUID
    topic: MessageTopic
    channel: MessageChannel
    region: Region
    reached_at: UtcDateTime


class MessageReached(ParticipantEvent):
    """A targeted message on a topic reached a person (O.E. 2.5 health, O.E. 3.6 income).

    ``reach_id`` identifies the act, so a person reached twice by one activity counts once per
    act and once overall as a unique person.
    """

    event_type: ClassVar[str] = "message.reached"
    version: ClassVar[int] = 2

    reach_id: UUID
    participant_id: UUID
    topic: MessageTopic
    channel: MessageChannel
    # New in version 2: talks and fairs moved partly online, so the channel alone no longer
    # says whether the person was met face to face.
    delivery_mode: DeliveryMode
    region: Region
    # Added later (optional, version 2 kept): older messages carry no admin2.
    admin2: Admin2Code | None = None
    reached_at: UtcDateTime


class LivelihoodOutcomeRecorded(ParticipantEvent):
    """A follow-up verified a livelihood outcome for a participant (O.E. 3.1 to 3.5)."""

    event_type: ClassVar[str] = "livelihood.outcome_recorded"

    outcome_id: UUID
    participant_id: UUID
    case_id: UUID | None = None
    program: LivelihoodProgram
    outcome: LivelihoodOutcome
    region: Region
    recorded_by: UUID
    observed_at: UtcDateTime
