"""Merging a duplicate record through the service layer, on the in-memory store with fakes: the
duplicate's stream ends, the view redirects its id, the audit names it; stale or repeated merges
leave nothing."""

from __future__ import annotations

import pytest

from contracts.participants import MergeReason
from eventkit.decider import Refused
from eventkit.store import ConcurrencyConflict
from services.cases.participant_commands import merge_into
from services.cases.participant_requests import MergeRequest
from services.cases.results import Merged
from tests.unit.cases.fakes import CASEWORKER, InMemory, registered_person
from tests.unit.cases.givens import NOW


async def test_a_duplicate_is_merged_into_the_surviving_record() -> None:
    world = InMemory()
    duplicate = await registered_person(world.ports)
    survivor = await registered_person(world.ports)
    into = MergeRequest(into_participant_id=survivor, reason=MergeReason.DOCUMENT_MATCH)
    answer = await merge_into(world.ports, duplicate, into, CASEWORKER, 1, NOW)
    assert isinstance(answer, Merged)
    assert answer.json() == {
        "participant_id": str(duplicate),
        "version": 2,
        "position": answer.json()["position"],
        "merged_into": str(survivor),
    }
    merged = world.store.events()[-1]
    assert (merged.event_type, merged.stream_id) == ("participant.merged", str(duplicate))
    assert merged.data["surviving_participant_id"] == str(survivor)
    assert await world.views.surviving(duplicate) == survivor
    assert world.audit.actions == [("cw-1", "participant.merge", f"participant:{duplicate}")]


async def test_stale_repeated_and_self_merges_leave_nothing() -> None:
    world = InMemory()
    duplicate = await registered_person(world.ports)
    survivor = await registered_person(world.ports)
    into = MergeRequest(into_participant_id=survivor, reason=MergeReason.DOCUMENT_MATCH)
    with pytest.raises(ConcurrencyConflict):
        await merge_into(world.ports, duplicate, into, CASEWORKER, 5, NOW)
    itself = MergeRequest(into_participant_id=duplicate, reason=MergeReason.DOCUMENT_MATCH)
    with pytest.raises(Refused) as refused:
        await merge_into(world.ports, duplicate, itself, CASEWORKER, None, NOW)
    assert refused.value.rule == "merge_into_itself"
    assert len(world.store.events()) == 2 and world.audit.actions == []
    await merge_into(world.ports, duplicate, into, CASEWORKER, None, NOW)
    with pytest.raises(Refused) as again:
        await merge_into(world.ports, duplicate, into, CASEWORKER, None, NOW)
    assert again.value.rule == "participant_merged"
    assert len(world.store.events()) == 3
