"""A follow-up note through the service layer, on the in-memory store with fakes: sealed
personal data, never an event; refused on an unknown case and once the person was erased."""

from __future__ import annotations

import uuid

import pytest

from eventkit.decider import Refused
from services.cases.case_commands import add_note
from services.cases.participant_commands import erase_in
from services.cases.participant_requests import ErasureBasis
from services.cases.results import NoteAdded
from tests.unit.cases.fakes import CASEWORKER, SUPERVISOR, InMemory
from tests.unit.cases.givens import NOW
from tests.unit.cases.test_case_commands import _case, _consenting

TEXT = "Follow-up call: appointment confirmed for Monday."


async def test_a_note_is_sealed_under_the_persons_key_and_is_no_event() -> None:
    world = InMemory()
    person = await _consenting(world.ports)
    case_id = await _case(world.ports, person)
    events = len(world.store.events())
    done = await add_note(world.ports, world.personal, case_id, TEXT, CASEWORKER, NOW)
    assert done == NoteAdded(case_id, done.note_id)
    assert done.json() == {"case_id": str(case_id), "note_id": str(done.note_id)}
    assert world.personal.notes[done.note_id] == (case_id, person, TEXT)
    assert len(world.store.events()) == events
    assert world.audit.actions[-1] == ("cw-1", "case.note", f"case:{case_id}")


async def test_no_note_on_an_unknown_case_or_an_erased_persons_case() -> None:
    world = InMemory()
    with pytest.raises(Refused) as unknown:
        await add_note(world.ports, world.personal, uuid.uuid4(), TEXT, CASEWORKER, NOW)
    assert (unknown.value.rule, unknown.value.kind) == ("case_not_found", "not_found")
    person = await _consenting(world.ports)
    case_id = await _case(world.ports, person)
    await erase_in(
        world.ports, world.personal, person, ErasureBasis.PARTICIPANT_REQUEST, SUPERVISOR, NOW
    )
    with pytest.raises(Refused) as erased:
        await add_note(world.ports, world.personal, case_id, TEXT, CASEWORKER, NOW)
    assert erased.value.rule == "participant_erased"
    assert world.personal.notes == {}
    assert "case.note" not in [a for _, a, _ in world.audit.actions]
