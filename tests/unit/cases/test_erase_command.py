"""Erasing a person's personal data through the service layer, on the in-memory store with
fakes: the event names no personal value, the data and lookups are shredded, the basis is kept
only in the audit record, and a second erasure is refused."""

from __future__ import annotations

import pytest

from access.blind_index import Kind
from contracts.participants import ParticipantRegistered
from eventkit.decider import Refused
from services.cases.participant_commands import erase_in
from services.cases.participant_requests import ErasureBasis
from services.cases.results import Erased
from tests.unit.cases.fakes import SUPERVISOR, InMemory, registered_person
from tests.unit.cases.givens import NOW

ASKED = ErasureBasis.PARTICIPANT_REQUEST


async def test_erasure_is_announced_and_shreds_the_personal_data() -> None:
    world = InMemory()
    person = await registered_person(world.ports)
    [registered] = world.store.events()
    event = ParticipantRegistered.model_validate(registered.data)
    await world.personal.keep(event, {"given_names": "Ana"}, {Kind.PHONE: "987654321"}, 1)
    done = await erase_in(world.ports, world.personal, person, ASKED, SUPERVISOR, NOW)
    assert isinstance(done, Erased)
    assert done.json() == {
        "participant_id": str(person),
        "version": 2,
        "position": done.position,
        "erased": True,
    }
    erased = world.store.events()[-1]
    assert (erased.event_type, str(erased.event_id)) == ("participant.erased", done.position)
    assert set(erased.data) == {"participant_id", "erased_by", "erased_at"}
    assert person not in world.personal.fields
    assert world.personal.numbers[(Kind.PHONE, "987654321")] == set()
    assert world.views.recorded == [("participant.erased", 2)]
    assert world.audit.actions == [("sv-1", "participant.erase", f"participant:{person}")]
    assert world.audit.purposes == [ASKED]


async def test_a_second_erasure_is_refused_and_records_nothing() -> None:
    world = InMemory()
    person = await registered_person(world.ports)
    await erase_in(world.ports, world.personal, person, ASKED, SUPERVISOR, NOW)
    with pytest.raises(Refused) as refused:
        await erase_in(world.ports, world.personal, person, ASKED, SUPERVISOR, NOW)
    assert refused.value.rule == "participant_erased"
    assert len(world.store.events()) == 2 and len(world.audit.actions) == 1
