"""A case's life after opening through the service layer, on the in-memory store with fakes:
reassign, close, reopen at the version the client saw, and a legal complaint filed and taken up.
Each command's events, views, audit and result; a stale version changes nothing."""

from __future__ import annotations

import uuid

import pytest

from contracts.cases import CaseClosureReason, CaseReopeningReason, ReassignmentReason
from contracts.legal_complaints import LegalAuthority, ProtectionViolation
from eventkit.store import ConcurrencyConflict
from services.cases.case_commands import close, file, reassign, reopen, taken_up
from services.cases.case_requests import (
    CloseRequest,
    ComplaintRequest,
    ReassignRequest,
    ReopenRequest,
    TakenUpRequest,
)
from services.cases.results import CaseChanged
from tests.support.peru import Region
from tests.unit.cases.fakes import CASEWORKER, InMemory
from tests.unit.cases.givens import NOW
from tests.unit.cases.test_case_commands import _case, _consenting


async def test_a_case_is_reassigned_closed_and_reopened_at_the_version_seen() -> None:
    world = InMemory()
    case_id = await _case(world.ports, await _consenting(world.ports))
    other = uuid.uuid4()
    moved = ReassignRequest(
        caseworker_id=other, region=Region.PIURA, reason=ReassignmentReason.PARTICIPANT_MOVED
    )
    done = await reassign(world.ports, case_id, moved, CASEWORKER, 1, NOW)
    assert done == CaseChanged(case_id, 2, done.position)
    reassigned = world.store.events()[-1]
    assert (reassigned.event_type, str(reassigned.event_id)) == ("case.reassigned", done.position)
    assert reassigned.data["caseworker_id"] == str(other)
    closing = CloseRequest(reason=CaseClosureReason.NEEDS_MET)
    with pytest.raises(ConcurrencyConflict):
        await close(world.ports, case_id, closing, CASEWORKER, 1, NOW)
    assert (await close(world.ports, case_id, closing, CASEWORKER, 2, NOW)).version == 3
    again = ReopenRequest(reason=CaseReopeningReason.NEW_NEEDS)
    reopened = await reopen(world.ports, case_id, again, CASEWORKER, None, NOW)
    assert reopened.version == 4 and reopened.complaint_id is None
    assert "complaint_id" not in reopened.json()
    assert [e.event_type for e in world.store.events()][-3:] == [
        "case.reassigned", "case.closed", "case.reopened",
    ]  # fmt: skip
    assert [a for _, a, _ in world.audit.actions][-3:] == [
        "case.reassign", "case.close", "case.reopen",
    ]  # fmt: skip
    assert world.views.recorded[-3:] == [
        ("case.reassigned", 2), ("case.closed", 3), ("case.reopened", 4),
    ]  # fmt: skip


async def test_a_complaint_is_filed_and_taken_up_by_its_id() -> None:
    world = InMemory()
    case_id = await _case(world.ports, await _consenting(world.ports))
    complaint = ComplaintRequest(
        violation=ProtectionViolation.GENDER_BASED_VIOLENCE, authority=LegalAuthority.POLICE
    )
    filed = await file(world.ports, case_id, complaint, CASEWORKER, NOW)
    assert filed.complaint_id is not None
    assert filed.json()["complaint_id"] == str(filed.complaint_id)
    assert world.store.events()[-1].data["complaint_id"] == str(filed.complaint_id)
    up = TakenUpRequest(authority=LegalAuthority.POLICE)
    done = await taken_up(world.ports, case_id, filed.complaint_id, up, CASEWORKER, NOW)
    assert done.complaint_id == filed.complaint_id and done.version == 3
    assert world.store.events()[-1].event_type == "legal_complaint.taken_up"
    assert [a for _, a, _ in world.audit.actions][-2:] == [
        "legal_complaint.file", "legal_complaint.taken_up",
    ]  # fmt: skip
