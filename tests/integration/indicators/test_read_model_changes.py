"""Loading only what changed since a revision gives what loading the whole read model gives."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import date

import asyncpg
import pytest

from services.indicators import read_model
from services.indicators.attainment import Filters, figures
from services.indicators.facts import Act, AttributeSet, Fact, Merge, Revocation
from services.indicators.ledger import Ledger
from services.indicators.logframe import Logframe, Unit, load_directory
from services.indicators.standing import Standing
from tests.support.store import open_pool
from tests.unit.indicators import facts_strategy as u

pytestmark = pytest.mark.integration
Y2 = load_directory()["pana_peru_y2_v1"].model_copy(update={"key": "changes"})
FILTERS = [Filters(), Filters(region="tumbes", start=date(2022, 11, 1))]


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await open_pool(database)
    yield pool
    await pool.close()


def random_fact(rng: random.Random, logframe: Logframe) -> Fact:
    """One fact of the property tests' small universe (keys, people and instants collide)."""
    kind = rng.choice(["act", "act", "act", "revocation", "attribute", "merge"])
    at, event = rng.choice(u.INSTANTS), rng.choice(u.EVENT_IDS)
    person = rng.choice(u.PEOPLE_IDS)
    if kind == "act":
        indicator = rng.choice(logframe.all_indicators)
        number = rng.randrange(len(indicator.requires))
        subject = rng.choice(u.CASE_IDS) if indicator.unit is Unit.CASES else person
        key, region = rng.choice(u.ACT_KEYS), rng.choice(u.REGIONS)
        return Act(indicator.id, number, key, subject, person, at, region, event)
    if kind == "revocation":
        return Revocation(rng.choice(u.ACT_KEYS), at, event)
    if kind == "attribute":
        name, values = rng.choice([("sex", u.SEXES), ("birth_year_month", u.BIRTHS)])
        return AttributeSet(person, name, rng.choice(values), at, event)
    return Merge(person, rng.choice(u.PEOPLE_IDS), at, event)


async def test_changes_since_a_revision_merged_in_equal_a_whole_reload(
    pool: asyncpg.Pool,
) -> None:
    for seed in range(25):
        rng = random.Random(seed)
        async with pool.acquire() as conn:
            await conn.execute(f"DROP SCHEMA IF EXISTS {read_model.schema_of(Y2)} CASCADE")
            await conn.execute(read_model.ddl(Y2))
        merged, standing, everything = Ledger(), Standing(Y2), Ledger()
        for f in FILTERS:
            standing.figures(f)
        since: int | None = None
        generation: str | None = None
        for _ in range(rng.randint(1, 6)):
            chunk = [random_fact(rng, Y2) for _ in range(rng.randint(0, 15))]
            async with pool.acquire() as conn, conn.transaction():
                await read_model.record(conn, Y2, chunk)
            everything.record(chunk)
            async with pool.acquire() as conn:
                changes = await read_model.load_changes(conn, Y2, since, generation)
                whole_revision, whole = await read_model.load_ledger(conn, Y2)
            assert changes.whole == (since is None)
            assert changes.revision == whole_revision
            since, generation = changes.revision, changes.generation
            merged.record(changes.facts)
            standing.apply(changes.facts)
            assert merged == whole == everything
            for f in FILTERS:
                assert standing.figures(f) == figures(Y2, whole, f)


async def test_a_batch_that_changes_nothing_keeps_the_revision(pool: asyncpg.Pool) -> None:
    rng = random.Random(1)
    facts = [random_fact(rng, Y2) for _ in range(30)]
    async with pool.acquire() as conn:
        await conn.execute(read_model.ddl(Y2))
        async with conn.transaction():
            assert await read_model.record(conn, Y2, facts)
        at = await read_model.revision(conn, Y2)
        async with conn.transaction():
            assert not await read_model.record(conn, Y2, list(reversed(facts)))
        assert await read_model.revision(conn, Y2) == at
        nothing = await read_model.load_changes(conn, Y2, at, (await read_model.state(conn, Y2))[1])
        assert nothing.facts == [] and not nothing.whole


async def test_a_dropped_and_rebuilt_read_model_is_loaded_whole(pool: asyncpg.Pool) -> None:
    rng = random.Random(2)
    first = [random_fact(rng, Y2) for _ in range(20)]
    second = [random_fact(rng, Y2) for _ in range(5)]
    async with pool.acquire() as conn:
        await conn.execute(read_model.ddl(Y2))
        async with conn.transaction():
            await read_model.record(conn, Y2, first)
        before = await read_model.load_changes(conn, Y2)
        await read_model.drop(conn, Y2, "nobody")
        async with conn.transaction():
            await read_model.record(conn, Y2, second)
        async with conn.transaction():
            await read_model.record(conn, Y2, first[:1])
        # The revision may even have come back to the same number: the generation tells.
        after = await read_model.load_changes(conn, Y2, before.revision, before.generation)
    assert after.whole
    expected = Ledger()
    expected.record([*second, *first[:1]])
    rebuilt = Ledger()
    rebuilt.record(after.facts)
    assert rebuilt == expected
