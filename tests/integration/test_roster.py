"""The copy of who exists and where (`roster`) converges whatever way the participants and cases
topics interleave, rejects unreadable data without stopping, and runs a service's erasure hook
in its own transaction (real PostgreSQL)."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime

import asyncpg
import pytest

from contracts.cases import CaseOpened, CaseReassigned, ReassignmentReason
from contracts.envelope import envelope_for
from contracts.event import Event
from contracts.participants import (
    CorrectionReason,
    MergeReason,
    ParticipantCorrected,
    ParticipantErased,
    ParticipantMerged,
    ParticipantRegistered,
)
from contracts.people import Sex
from contracts.vocabulary import IntakeChannel
from eventkit.consumer import Delivered, Rejected
from eventkit.schema import migrate
from eventkit.store import Connection
from roster.projection import RosterProjection
from roster.schema import ROSTER_DDL
from tests.support.peru import CaseType, Region
from tests.support.store import open_pool

pytestmark = pytest.mark.integration
NOW = datetime(2022, 6, 1, tzinfo=UTC)
A, B, CASE, BY = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def _registered(pid: uuid.UUID) -> ParticipantRegistered:
    return ParticipantRegistered(
        participant_id=pid, sex=Sex.WOMAN, birth_year_month="1990-01", nationality="VEN",
        region=Region.LIMA_CALLAO, registered_by=BY, registered_at=NOW,
    )  # fmt: skip


PEOPLE: list[Event] = [  # in stream order, as on the participants topic
    _registered(A),
    _registered(B),
    ParticipantCorrected(participant_id=B, reason=CorrectionReason.CIRCUMSTANCES_CHANGED,
                         region=Region.PIURA, corrected_by=BY, corrected_at=NOW),
    ParticipantMerged(merged_participant_id=A, surviving_participant_id=B,
                      reason=MergeReason.DOCUMENT_MATCH, merged_by=BY, merged_at=NOW),
    ParticipantErased(participant_id=B, erased_by=BY, erased_at=NOW),
]  # fmt: skip
CASES: list[Event] = [  # in stream order, as on the cases topic
    CaseOpened(case_id=CASE, participant_id=A, case_type=CaseType.HEALTH,
               intake_channel=IntakeChannel.HOTLINE, region=Region.LIMA_CALLAO,
               caseworker_id=BY, opened_at=NOW),
    CaseReassigned(case_id=CASE, participant_id=A, caseworker_id=BY, region=Region.TUMBES,
                   reason=ReassignmentReason.PARTICIPANT_MOVED, reassigned_by=BY,
                   reassigned_at=NOW),
]  # fmt: skip


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await open_pool(database)
    await migrate(pool, ROSTER_DDL)
    yield pool
    await pool.close()


def _delivered(events: Sequence[Event]) -> list[Delivered]:
    return [Delivered(envelope_for(e, event_id=uuid.uuid4(), time=NOW), "t", 0, n)
            for n, e in enumerate(events)]  # fmt: skip


async def _copy(pool: asyncpg.Pool) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    people = await pool.fetch("SELECT * FROM roster_participants ORDER BY participant_id")
    cases = await pool.fetch("SELECT * FROM roster_cases ORDER BY case_id")
    return [tuple(r.values()) for r in people], [tuple(r.values()) for r in cases]


@pytest.mark.parametrize("cases_first", [True, False])
async def test_the_copy_converges_whatever_the_topics_interleaving(
    pool: asyncpg.Pool, cases_first: bool
) -> None:
    erased: list[uuid.UUID] = []

    async def hook(conn: Connection, participant_id: uuid.UUID) -> None:
        erased.append(participant_id)

    batches = [CASES, PEOPLE] if cases_first else [PEOPLE[:2], CASES[:1], PEOPLE[2:], CASES[1:]]
    for batch in batches:
        async with pool.acquire() as conn, conn.transaction():
            assert await RosterProjection(hook).apply(conn, _delivered(batch)) == []
    people, cases = await _copy(pool)
    assert people == sorted([(A, "lima_callao", B, None), (B, "piura", None, NOW)])
    assert cases == [(CASE, A, "tumbes", NOW)]  # the opening time: what acts may not precede
    assert erased == [B]


async def test_unreadable_data_is_rejected_and_the_rest_applied(pool: asyncpg.Pool) -> None:
    good, bad = _delivered([_registered(A), _registered(B)])
    broken = dataclasses.replace(bad.envelope, data={**bad.envelope.data, "region": "not a region"})
    async with pool.acquire() as conn, conn.transaction():
        rejected = await RosterProjection().apply(conn, [good, bad._replace(envelope=broken)])
    assert [r.delivered.envelope.id for r in rejected] == [bad.envelope.id]
    assert isinstance(rejected[0], Rejected) and "region" in rejected[0].reason
    people, _ = await _copy(pool)
    assert people == [(A, "lima_callao", None, None)]
