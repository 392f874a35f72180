"""Registering a person through the service layer, on the in-memory store with fakes of the
personal data store and the duplicate lookup: the event carries no personal value, the personal
fields go to the store, and a second record with the same number names the first."""

from __future__ import annotations

from datetime import date

from access.blind_index import Kind
from contracts.people import Sex
from services.cases.participant_commands import register_in
from services.cases.participant_requests import RegisterRequest
from services.cases.results import Registered
from tests.support.peru import DocumentType, Region
from tests.unit.cases.fakes import CASEWORKER, FakePersonalData, InMemory
from tests.unit.cases.givens import NOW


def _request(**changes: object) -> RegisterRequest:
    body = {
        "given_names": "Ana María",
        "family_names": "Pérez Rojas",
        "document_type": DocumentType.PASSPORT,
        "document_number": "V12345678",
        "phone": "+51 987 654 321",
        "sex": Sex.WOMAN,
        "birth_date": date(1994, 3, 12),
        "nationality": "VEN",
        "region": Region.LIMA_CALLAO,
    }
    return RegisterRequest.model_validate({**body, **changes})


async def test_registration_keeps_personal_data_out_of_the_event() -> None:
    world, personal = InMemory(), FakePersonalData()
    answer = await register_in(world.ports, personal, personal, _request(), CASEWORKER, NOW)
    assert isinstance(answer, Registered)
    assert answer.json()["version"] == 1 and answer.json()["possible_duplicates"] == []
    [registered] = world.store.events()
    assert registered.event_type == "participant.registered"
    assert registered.stream_id == answer.json()["participant_id"]
    assert registered.data["birth_year_month"] == "1994-03"
    recorded = str(registered.data)
    for value in ("Ana", "Pérez", "V12345678", "987", "1994-03-12"):
        assert value not in recorded
    [(participant_id, fields)] = personal.fields.items()
    assert str(participant_id) == answer.json()["participant_id"]
    assert fields["document_number"] == "V12345678"
    assert fields["birth_date"] == "1994-03-12"
    assert world.audit.actions == [
        ("cw-1", "participant.register", f"participant:{participant_id}")
    ]


async def test_a_second_record_with_the_same_number_names_the_first() -> None:
    world, personal = InMemory(), FakePersonalData()
    first = await register_in(world.ports, personal, personal, _request(), CASEWORKER, NOW)
    same_phone = _request(document_number="X9999999")
    second = await register_in(world.ports, personal, personal, same_phone, CASEWORKER, NOW)
    assert second.json()["possible_duplicates"] == [first.json()["participant_id"]]
    assert len(personal.numbers[(Kind.PHONE, "+51 987 654 321")]) == 2


async def test_an_estimated_age_becomes_a_birth_month_from_the_command_time() -> None:
    world, personal = InMemory(), FakePersonalData()
    estimated = _request(birth_date=None, estimated_age_years=30)
    await register_in(world.ports, personal, personal, estimated, CASEWORKER, NOW)
    [registered] = world.store.events()
    assert registered.data["birth_year_month"] == "1992-06"
    assert registered.data["birth_date_estimated"] is True
