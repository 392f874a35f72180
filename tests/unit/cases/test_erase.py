"""Erasing a person's personal data: given participant events, when erase, then an event with no
personal data, once; and nothing new is recorded about an erased person."""

from __future__ import annotations

import uuid

from contracts.outreach import DeliveryMode
from contracts.participants import MergeReason, ParticipantErased
from contracts.vocabulary import ConsentPurpose, MessageChannel, MessageTopic
from services.cases import erase, merge, record_reach
from tests.support.deciders import then_only, then_refused, when
from tests.support.peru import Region
from tests.unit.cases.givens import NOW, PERSON, STAFF, consented, person, registered

OTHER = uuid.uuid4()


def _erased() -> ParticipantErased:
    return ParticipantErased(participant_id=PERSON, erased_by=STAFF, erased_at=NOW)


def test_erasure_is_announced_once_with_no_personal_data() -> None:
    _erase = erase.EraseParticipant(STAFF, NOW)
    then_only(erase.decide(_erase, person(registered())), ParticipantErased,
              participant_id=PERSON, erased_by=STAFF)  # fmt: skip
    then_refused(when(erase.decide, _erase, person(registered(), _erased())), "participant_erased")
    then_refused(when(erase.decide, _erase, person()), "participant_not_found")


def test_nothing_new_is_recorded_about_an_erased_person() -> None:
    gone = person(registered(), consented(ConsentPurpose.SERVICES), _erased())
    reach = record_reach.RecordReach(
        uuid.uuid4(), MessageTopic.HEALTH_SERVICES, MessageChannel.FAIR, DeliveryMode.IN_PERSON,
        Region.PIURA, NOW, NOW,
    )  # fmt: skip
    then_refused(when(record_reach.decide, reach, gone), "participant_erased")
    into = merge.MergeParticipant(person(registered(OTHER)), MergeReason.DOCUMENT_MATCH,
                                      STAFF, NOW)  # fmt: skip
    then_refused(when(merge.decide, into, gone), "participant_erased")
    into_gone = merge.MergeParticipant(gone, MergeReason.DOCUMENT_MATCH, STAFF, NOW)
    then_refused(when(merge.decide, into_gone, person(registered(OTHER))), "participant_erased")
