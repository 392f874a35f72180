"""Correcting a record through the service layer, on the in-memory store with fakes: coarse
attributes give an event, personal fields are resealed without one, a changed number is indexed
again; a stale version or an erased person's data changes nothing."""

from __future__ import annotations

import pytest

from access.blind_index import Kind
from contracts.participants import CorrectionReason
from eventkit.decider import Refused
from eventkit.store import ConcurrencyConflict
from services.cases.participant_commands import correct_in, erase_in
from services.cases.participant_requests import CorrectRequest, ErasureBasis
from services.cases.results import PersonChanged
from tests.support.peru import Region
from tests.unit.cases.fakes import CASEWORKER, SUPERVISOR, InMemory, registered_person
from tests.unit.cases.givens import NOW

VERIFIED = CorrectionReason.DOCUMENT_VERIFIED


async def test_a_coarse_attribute_is_corrected_by_an_event() -> None:
    world = InMemory()
    person = await registered_person(world.ports)
    moved = CorrectRequest(reason=VERIFIED, region=Region.PIURA)
    done = await correct_in(world.ports, world.personal, person, moved, CASEWORKER, 1, NOW)
    assert done == PersonChanged(person, 2, done.position)
    corrected = world.store.events()[-1]
    assert (corrected.event_type, corrected.stream_id) == ("participant.corrected", str(person))
    assert corrected.data["region"] == Region.PIURA
    assert str(corrected.event_id) == done.position
    assert world.views.recorded == [("participant.corrected", 2)]
    assert world.audit.actions == [("cw-1", "participant.correct", f"participant:{person}")]


async def test_personal_fields_are_resealed_and_indexed_without_an_event() -> None:
    world = InMemory()
    person = await registered_person(world.ports)
    phone = CorrectRequest(reason=VERIFIED, phone="987111222", given_names="Ana")
    done = await correct_in(world.ports, world.personal, person, phone, CASEWORKER, None, NOW)
    assert (done.version, done.position) == (1, None)
    assert [e.event_type for e in world.store.events()] == ["participant.registered"]
    assert world.personal.fields[person] == {"given_names": "Ana", "phone": "987111222"}
    assert world.personal.numbers[(Kind.PHONE, "987111222")] == {person}
    assert world.audit.actions == [("cw-1", "participant.correct", f"participant:{person}")]


async def test_a_stale_version_or_an_erased_persons_data_changes_nothing() -> None:
    world = InMemory()
    person = await registered_person(world.ports)
    moved = CorrectRequest(reason=VERIFIED, region=Region.PIURA)
    with pytest.raises(ConcurrencyConflict):
        await correct_in(world.ports, world.personal, person, moved, CASEWORKER, 7, NOW)
    await erase_in(
        world.ports, world.personal, person, ErasureBasis.PARTICIPANT_REQUEST, SUPERVISOR, NOW
    )
    named = CorrectRequest(reason=VERIFIED, given_names="Ana")
    with pytest.raises(Refused) as refused:
        await correct_in(world.ports, world.personal, person, named, CASEWORKER, None, NOW)
    assert refused.value.rule == "participant_erased"
    assert person not in world.personal.fields
    assert [a for _, a, _ in world.audit.actions] == ["participant.erase"]
