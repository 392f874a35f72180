"""The counted state kept in PostgreSQL gives the figures the pure rules give, in any filter.

Random fact histories of a small universe (keys, people, instants, merges and revocations
collide), recorded chunk by chunk: after each chunk the database's figures under every filter
set equal `attainment.figures` over a ledger holding every fact (the specification).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import AsyncIterator
from datetime import date

import asyncpg
import pytest

from services.indicators import counted_state, read_model
from services.indicators.attainment import Filters, assemble, figures
from services.indicators.facts import Act, AttributeSet, Fact, Merge
from services.indicators.ledger import Ledger
from services.indicators.logframe import load_directory
from services.indicators.periods import published_periods
from tests.integration.indicators.test_read_model_changes import random_fact
from tests.support.store import open_pool
from tests.unit.indicators import facts_strategy as u

pytestmark = pytest.mark.integration
Y2 = load_directory()["pana_peru_y2_v1"].model_copy(update={"key": "counted"})
FILTERS = [
    Filters(),
    Filters(region="tumbes"),
    Filters(region="lima_callao"),
    Filters(start=date(2022, 11, 1)),
    Filters(end=date(2022, 10, 31)),
    Filters(start=date(2022, 9, 1), end=date(2022, 9, 1)),
    Filters(region="tumbes", start=date(2022, 10, 15), end=date(2023, 3, 2)),
    Filters(region="piura", start=date(2023, 3, 1), end=date(2023, 8, 31)),
    *(Filters(start=p.start, end=p.end) for p in published_periods(Y2)),
    *(Filters(region="tumbes", start=p.start, end=p.end) for p in published_periods(Y2)),
]


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await open_pool(database)
    yield pool
    await pool.close()


async def _fresh(pool: asyncpg.Pool) -> None:
    """An empty read model of `Y2`."""
    async with pool.acquire() as conn:
        await conn.execute(f"DROP SCHEMA IF EXISTS {read_model.schema_of(Y2)} CASCADE")
        await conn.execute(read_model.ddl(Y2))


async def _counts_as_the_rules_do(pool: asyncpg.Pool, everything: Ledger, seed: int) -> None:
    """The database's figures under every filter equal the rules' over `everything`."""
    schema = read_model.schema_of(Y2)
    async with pool.acquire() as conn:
        for f in FILTERS:
            kept = await counted_state.totals(conn, schema, Y2, f)
            assert assemble(Y2, f, kept) == figures(Y2, everything, f), (seed, f)


async def test_the_database_counts_as_the_rules_do_after_every_chunk(pool: asyncpg.Pool) -> None:
    for seed in range(60):
        rng = random.Random(seed)
        await _fresh(pool)
        everything = Ledger()
        for _ in range(rng.randint(1, 6)):
            chunk = [random_fact(rng, Y2) for _ in range(rng.randint(0, 20))]
            async with pool.acquire() as conn, conn.transaction():
                await read_model.record(conn, Y2, chunk)
            everything.record(chunk)
            await _counts_as_the_rules_do(pool, everything, seed)


async def test_a_case_counts_by_the_person_of_another_record_of_its_counting_act(
    pool: asyncpg.Pool,
) -> None:
    """A later act on a case recounts it with every act's person resolved through merges."""
    (r, s, p), case = u.PEOPLE_IDS[:3], u.CASE_IDS[0]
    first, later = u.INSTANTS[3], u.INSTANTS[5]
    schema = read_model.schema_of(Y2)
    async with pool.acquire() as conn:
        await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await conn.execute(read_model.ddl(Y2))
    everything = Ledger()
    chunks: list[list[Fact]] = [
        [
            Act("OE1.3", 0, "x:1", case, r, first, "tumbes", u.EVENT_IDS[0]),
            AttributeSet(s, "sex", "woman", first, u.EVENT_IDS[1]),
            Merge(r, s, first, u.EVENT_IDS[2]),
        ],
        [Act("OE1.3", 0, "x:2", case, p, later, "tumbes", u.EVENT_IDS[3])],
    ]
    for chunk in chunks:
        async with pool.acquire() as conn, conn.transaction():
            await read_model.record(conn, Y2, chunk)
        everything.record(chunk)
    async with pool.acquire() as conn:
        kept = await counted_state.totals(conn, schema, Y2, Filters())
    assert kept["OE1.3"].cells == Counter({("woman", "unknown"): 1})
    assert assemble(Y2, Filters(), kept) == figures(Y2, everything, Filters())


async def test_recounts_kept_while_replaying_count_as_the_rules_do_once_settled(
    pool: asyncpg.Pool,
) -> None:
    """Chunks recorded while replaying only keep their seeds (`deferred`); a chunk recorded
    after the replay settles them: from then on, every filter's figures are the rules'."""
    schema = read_model.schema_of(Y2)
    for seed in range(40):
        rng = random.Random(1000 + seed)
        await _fresh(pool)
        everything = Ledger()
        for replaying in [*(rng.random() < 0.7 for _ in range(rng.randint(1, 6))), False]:
            chunk = [random_fact(rng, Y2) for _ in range(rng.randint(0, 20))]
            async with pool.acquire() as conn, conn.transaction():
                await read_model.record(conn, Y2, chunk, replaying=replaying)
                if not replaying:
                    await read_model.settle(conn, Y2)
            everything.record(chunk)
            if replaying:
                continue
            async with pool.acquire() as conn:
                assert not await conn.fetchval(f"SELECT count(*) FROM {schema}.pending")
            await _counts_as_the_rules_do(pool, everything, seed)


async def test_a_replay_into_an_empty_read_model_recounts_everything_as_the_rules_do(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild (`whole`) keeps no seeds while it replays and makes the counted state anew
    once settled, a few records at a time: merge groups and cases reached from several
    chunks are each counted once, and every filter's figures are the rules'."""
    monkeypatch.setattr(counted_state, "WHOLE_CHUNK", 2)
    schema = read_model.schema_of(Y2)
    for seed in range(40):
        rng = random.Random(2000 + seed)
        await _fresh(pool)
        everything = Ledger()
        for _ in range(rng.randint(1, 6)):
            chunk = [random_fact(rng, Y2) for _ in range(rng.randint(0, 20))]
            async with pool.acquire() as conn, conn.transaction():
                await read_model.record(conn, Y2, chunk, replaying=True, whole=True)
                assert not await conn.fetchval(
                    f"SELECT count(*) FROM {schema}.pending WHERE kind <> 'whole'"
                )
            everything.record(chunk)
        async with pool.acquire() as conn, conn.transaction():
            await read_model.settle(conn, Y2)
        async with pool.acquire() as conn:
            assert not await conn.fetchval(f"SELECT count(*) FROM {schema}.pending")
        await _counts_as_the_rules_do(pool, everything, seed)
