"""Merging a duplicate record: given participant events, when merge, then the duplicate's stream
ends in the surviving record, or a refusal."""

from __future__ import annotations

import uuid

from contracts.participants import MergeReason, ParticipantMerged, ParticipantRegistered
from services.cases import merge
from tests.support.deciders import then_only, then_refused, when
from tests.unit.cases.givens import NOW, PERSON, STAFF, person, registered

OTHER = uuid.uuid4()


def _merge(surviving: ParticipantRegistered | None) -> merge.MergeParticipant:
    state = person(surviving) if surviving else person()
    return merge.MergeParticipant(state, MergeReason.DOCUMENT_MATCH, STAFF, NOW)


def test_merge_ends_the_duplicate_stream_into_an_active_record() -> None:
    then_only(
        merge.decide(_merge(registered(OTHER)), person(registered())),
        ParticipantMerged,
        merged_participant_id=PERSON,
        surviving_participant_id=OTHER,
    )


def test_merge_refusals() -> None:
    state = person(registered())
    then_refused(when(merge.decide, _merge(registered(PERSON)), state), "merge_into_itself")
    then_refused(when(merge.decide, _merge(None), state), "participant_not_found")
    merged = ParticipantMerged(
        merged_participant_id=OTHER,
        surviving_participant_id=PERSON,
        reason=MergeReason.DOCUMENT_MATCH,
        merged_by=STAFF,
        merged_at=NOW,
    )
    gone = merge.MergeParticipant(
        person(registered(OTHER), merged), MergeReason.DOCUMENT_MATCH, STAFF, NOW
    )
    then_refused(when(merge.decide, gone, state), "surviving_merged")
    again = person(
        registered(),
        merged.model_copy(
            update={"merged_participant_id": PERSON, "surviving_participant_id": OTHER}
        ),
    )
    then_refused(when(merge.decide, _merge(registered(OTHER)), again), "participant_merged")
