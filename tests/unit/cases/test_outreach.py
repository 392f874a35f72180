"""Outreach: given participant events, when a reach is recorded, then the event or a refusal."""

from __future__ import annotations

import uuid
from datetime import timedelta

from contracts.outreach import DeliveryMode, MessageReached
from contracts.vocabulary import MessageChannel, MessageTopic
from services.cases import record_reach
from tests.support.deciders import then_only, then_refused, when
from tests.support.peru import Region
from tests.unit.cases.givens import (
    NOW,
    person,
    registered,
)


def test_outreach_reaches_a_registered_person_not_in_the_future() -> None:
    reach = record_reach.RecordReach(
        uuid.uuid4(),
        MessageTopic.HEALTH_SERVICES,
        MessageChannel.FAIR,
        DeliveryMode.IN_PERSON,
        Region.TUMBES,
        NOW,
        NOW,
    )
    then_only(
        record_reach.decide(reach, person(registered())), MessageReached, region=Region.TUMBES
    )
    then_refused(when(record_reach.decide, reach, person()), "participant_not_found")
    later = record_reach.RecordReach(
        reach.reach_id,
        reach.topic,
        reach.channel,
        reach.delivery_mode,
        reach.region,
        NOW + timedelta(days=1),
        NOW,
    )
    then_refused(when(record_reach.decide, later, person(registered())), "reached_in_future")
