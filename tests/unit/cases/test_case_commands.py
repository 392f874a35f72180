"""Opening, closing a case and delivering a service through the service layer, on the in-memory
store with fakes: the events, the views, the audit, the answers, and what a refusal leaves."""

from __future__ import annotations

import uuid

import pytest

from contracts.cases import CaseClosureReason
from contracts.vocabulary import ConsentPurpose, IntakeChannel
from eventkit.decider import Refused
from eventkit.store import ConcurrencyConflict
from services.cases import close_case
from services.cases.case_commands import Rule, changed, deliver_in, open_for
from services.cases.case_requests import DeliverRequest, OpenCaseRequest
from services.cases.consent_commands import give
from services.cases.participant_requests import ConsentRequest
from services.cases.ports import Ports
from services.cases.results import CaseChanged, Delivered, Opened
from tests.support.peru import CaseType, Region, ServiceType
from tests.unit.cases.fakes import CASEWORKER, InMemory, registered_person
from tests.unit.cases.givens import NOW


def _open(person: uuid.UUID) -> OpenCaseRequest:
    return OpenCaseRequest(
        participant_id=person,
        case_type=CaseType.GBV_PROTECTION,
        intake_channel=IntakeChannel.ADMISSION_FORM,
        region=Region.LIMA_CALLAO,
    )


async def _consenting(ports: Ports) -> uuid.UUID:
    person = await registered_person(ports)
    services = ConsentRequest(purposes=[ConsentPurpose.SERVICES])
    await give(ports, person, services, CASEWORKER, NOW)
    return person


async def _case(ports: Ports, person: uuid.UUID) -> uuid.UUID:
    return uuid.UUID(str((await open_for(ports, _open(person), CASEWORKER, NOW)).json()["case_id"]))


def _closing(reason: CaseClosureReason = CaseClosureReason.NEEDS_MET) -> Rule:
    return lambda s, by, now: close_case.decide(close_case.CloseCase(reason, None, by, now), s)


async def test_a_case_opens_for_a_consenting_person_with_the_caller_as_caseworker() -> None:
    world = InMemory()
    ports = world.ports
    person = await _consenting(ports)
    answer = await open_for(ports, _open(person), CASEWORKER, NOW)
    assert isinstance(answer, Opened)
    assert answer.json()["participant_id"] == str(person)
    assert answer.json()["version"] == 1
    opened = world.store.events()[-1]
    assert (opened.event_type, opened.stream_id) == ("case.opened", answer.json()["case_id"])
    assert opened.data["caseworker_id"] == answer.json()["caseworker_id"]
    assert world.views.recorded[-1] == ("case.opened", 1)
    assert world.audit.actions[-1] == ("cw-1", "case.open", f"case:{answer.json()['case_id']}")


async def test_without_consent_no_case_is_opened_and_nothing_is_kept() -> None:
    world = InMemory()
    ports = world.ports
    person = await registered_person(ports)
    with pytest.raises(Refused) as refused:
        await open_for(ports, _open(person), CASEWORKER, NOW)
    assert refused.value.rule == "consent_missing"
    assert [e.event_type for e in world.store.events()] == ["participant.registered"]
    assert world.views.recorded == [] and world.audit.actions == []


async def test_a_case_closes_once_and_a_stale_version_is_refused() -> None:
    world = InMemory()
    ports = world.ports
    case_id = uuid.UUID(
        str(
            (await open_for(ports, _open(await _consenting(ports)), CASEWORKER, NOW)).json()[
                "case_id"
            ]
        )
    )
    with pytest.raises(ConcurrencyConflict):
        await changed(ports, case_id, "case.close", _closing(), CASEWORKER, 7, NOW)
    closed = await changed(ports, case_id, "case.close", _closing(), CASEWORKER, 1, NOW)
    assert isinstance(closed, CaseChanged)
    assert closed.json()["version"] == 2
    assert world.store.events()[-1].data["reason"] == CaseClosureReason.NEEDS_MET
    assert world.audit.actions[-1] == ("cw-1", "case.close", f"case:{case_id}")
    with pytest.raises(Refused) as again:
        await changed(ports, case_id, "case.close", _closing(), CASEWORKER, None, NOW)
    assert again.value.rule == "case_already_closed"


async def test_a_service_is_delivered_within_an_open_case() -> None:
    world = InMemory()
    ports = world.ports
    person = await _consenting(ports)
    case_id = uuid.UUID(
        str((await open_for(ports, _open(person), CASEWORKER, NOW)).json()["case_id"])
    )
    lodging = DeliverRequest(service_type=ServiceType.LODGING, quantity=3)
    answer = await deliver_in(ports, case_id, lodging, CASEWORKER, None, NOW)
    assert isinstance(answer, Delivered)
    delivered = world.store.events()[-1]
    assert delivered.event_type == "service.delivered"
    assert delivered.data["delivery_id"] == answer.json()["delivery_id"]
    assert delivered.data["quantity"] == 3
    assert world.audit.actions[-1] == ("cw-1", "service.deliver", f"case:{case_id}")
    await changed(ports, case_id, "case.close", _closing(), CASEWORKER, None, NOW)
    with pytest.raises(Refused) as closed:
        await deliver_in(ports, case_id, lodging, CASEWORKER, None, NOW)
    assert closed.value.rule == "case_closed"


async def test_a_service_for_an_unknown_case_is_not_found() -> None:
    world = InMemory()
    ports = world.ports
    with pytest.raises(Refused) as refused:
        await deliver_in(
            ports,
            uuid.uuid4(),
            DeliverRequest(service_type=ServiceType.LODGING),
            CASEWORKER,
            None,
            NOW,
        )
    assert refused.value.rule == "case_not_found"
    assert world.store.events() == []
