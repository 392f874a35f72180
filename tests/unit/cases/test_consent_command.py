"""Giving and withdrawing consent through the service layer, on the in-memory store with fakes:
what lands in the stream, the views and the audit trail, and where a merged id's consent goes."""

from __future__ import annotations

import uuid

import pytest

from contracts.consent import ConsentGiver
from contracts.participants import MergeReason
from contracts.vocabulary import ConsentPurpose
from eventkit.decider import Refused
from services.cases.consent_commands import give, withdraw
from services.cases.participant_commands import merge_into
from services.cases.participant_requests import ConsentRequest, MergeRequest, WithdrawRequest
from services.cases.results import ConsentRecorded
from tests.unit.cases.fakes import CASEWORKER, InMemory, registered_person
from tests.unit.cases.givens import NOW

SERVICES_AND_SHARING = [ConsentPurpose.SERVICES, ConsentPurpose.REFERRAL_SHARING]


async def test_consent_given_lands_on_the_stream_views_and_audit() -> None:
    world = InMemory()
    ports = world.ports
    person = await registered_person(ports)
    answer = await give(
        ports, person, ConsentRequest(purposes=SERVICES_AND_SHARING), CASEWORKER, NOW
    )
    assert isinstance(answer, ConsentRecorded)
    assert answer.json()["participant_id"] == str(person)
    assert answer.json()["version"] == 2
    given = world.store.events()[-1]
    assert given.event_type == "consent.given"
    assert given.data["consent_id"] == answer.json()["consent_id"]
    assert given.data["given_by"] == ConsentGiver.PARTICIPANT
    assert world.views.recorded == [("consent.given", 2)]
    assert world.audit.actions == [("cw-1", "consent.record", f"participant:{person}")]


async def test_a_withdrawal_in_part_then_whole_and_never_twice() -> None:
    world = InMemory()
    ports = world.ports
    person = await registered_person(ports)
    given = await give(
        ports, person, ConsentRequest(purposes=SERVICES_AND_SHARING), CASEWORKER, NOW
    )
    consent_id = uuid.UUID(str(given.json()["consent_id"]))
    sharing = WithdrawRequest(purposes=[ConsentPurpose.REFERRAL_SHARING])
    part = await withdraw(ports, person, consent_id, sharing, CASEWORKER, NOW)
    assert isinstance(part, ConsentRecorded)
    assert world.store.events()[-1].data["purposes"] == [ConsentPurpose.REFERRAL_SHARING]
    rest = await withdraw(ports, person, consent_id, WithdrawRequest(), CASEWORKER, NOW)
    assert world.store.events()[-1].data["purposes"] == [ConsentPurpose.SERVICES]
    assert rest.json()["version"] == 4
    with pytest.raises(Refused) as refused:
        await withdraw(ports, person, consent_id, WithdrawRequest(), CASEWORKER, NOW)
    assert refused.value.rule == "consent_already_withdrawn"
    assert len(world.store.events()) == 4
    assert [action for _, action, _ in world.audit.actions] == ["consent.record"] * 3


async def test_consent_on_a_merged_id_lands_on_the_surviving_record() -> None:
    world = InMemory()
    ports = world.ports
    duplicate, survivor = await registered_person(ports), await registered_person(ports)
    merge = MergeRequest(into_participant_id=survivor, reason=MergeReason.DOCUMENT_MATCH)
    await merge_into(ports, duplicate, merge, CASEWORKER, None, NOW)
    answer = await give(
        ports, duplicate, ConsentRequest(purposes=[ConsentPurpose.SERVICES]), CASEWORKER, NOW
    )
    assert answer.json()["participant_id"] == str(survivor)
    assert world.store.events()[-1].stream_id == str(survivor)
