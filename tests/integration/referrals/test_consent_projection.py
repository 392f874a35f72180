"""The consent copy converges whatever order the events arrive in (real PostgreSQL)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import pytest

from contracts.consent import ConsentGiven, ConsentGiver, ConsentWithdrawn
from contracts.envelope import envelope_for
from contracts.event import Event
from contracts.vocabulary import ConsentPurpose
from eventkit.consumer import Delivered
from eventkit.schema import migrate
from services.referrals.consent import ConsentProjection, consent_stands, standing_consent
from services.referrals.schema import ALL_DDL
from tests.support.peru import ReferralDestination
from tests.support.store import open_pool

pytestmark = pytest.mark.integration
PARTICIPANT, CONSENT = uuid.uuid4(), uuid.uuid4()
NOW = datetime(2022, 6, 1, tzinfo=UTC)
GIVEN = ConsentGiven(
    participant_id=PARTICIPANT, consent_id=CONSENT,
    purposes=(ConsentPurpose.REFERRAL_SHARING, ConsentPurpose.SERVICES),
    given_by=ConsentGiver.PARTICIPANT, recorded_by=uuid.uuid4(), given_at=NOW,
)  # fmt: skip
WITHDRAWN = ConsentWithdrawn(
    participant_id=PARTICIPANT, consent_id=CONSENT, purposes=(ConsentPurpose.REFERRAL_SHARING,),
    recorded_by=uuid.uuid4(), withdrawn_at=NOW,
)  # fmt: skip


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await open_pool(database)
    await migrate(pool, *ALL_DDL)
    yield pool
    await pool.close()


async def _apply(pool: asyncpg.Pool, *events: Event) -> None:
    delivered = [
        Delivered(envelope_for(e, event_id=uuid.uuid4(), time=NOW), "t", 0, n)
        for n, e in enumerate(events)
    ]
    async with pool.acquire() as conn, conn.transaction():
        await ConsentProjection().apply(conn, delivered)


@pytest.mark.parametrize("order", ["given_first", "withdrawn_first"])
async def test_withdrawal_wins_in_any_order(pool: asyncpg.Pool, order: str) -> None:
    await _apply(pool, *((GIVEN, WITHDRAWN) if order == "given_first" else (WITHDRAWN, GIVEN)))
    async with pool.acquire() as conn, conn.transaction():
        assert await standing_consent(conn, PARTICIPANT, ReferralDestination.CEM) is None
        assert not await consent_stands(conn, CONSENT)


async def test_a_given_consent_stands(pool: asyncpg.Pool) -> None:
    await _apply(pool, GIVEN)
    async with pool.acquire() as conn, conn.transaction():
        assert await standing_consent(conn, PARTICIPANT, ReferralDestination.SIS) == CONSENT
