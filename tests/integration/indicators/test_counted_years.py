"""The program years of a life-of-project logframe are kept in the counted state like the
other published periods: the database's figures for each year (nationally and in a region)
equal `attainment.figures`, the specification, after every chunk of a random history."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator

import asyncpg
import pytest

from services.indicators import counted_state, read_model
from services.indicators.attainment import Filters, assemble, figures
from services.indicators.ledger import Ledger
from services.indicators.logframe import Logframe, load_directory
from services.indicators.periods import published_periods
from tests.integration.indicators.test_read_model_changes import random_fact
from tests.support.store import open_pool

pytestmark = pytest.mark.integration
# Year 2's rules as a "phase" of two halves, each with its own target: the random histories'
# instants fall on both sides of the split.
_Y2 = load_directory()["pana_peru_y2_v1"].model_dump(mode="json")
HALVES = Logframe.model_validate({
    **_Y2,
    "key": "counted_years",
    "years": [{"label": "H1", "start": "2022-09-01", "end": "2023-02-28"},
              {"label": "H2", "start": "2023-03-01", "end": "2023-08-31"}],
    "indicators": [{**i, "period_targets": {"H1": 10, "H2": 20}} for i in _Y2["indicators"]],
})  # fmt: skip
YEARS = [p for p in published_periods(HALVES) if p.kind in ("period", "year")]
FILTERS = [
    Filters(region=region, start=p.start, end=p.end)
    for p in YEARS
    for region in (None, "tumbes", "lima_callao")
]


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await open_pool(database)
    yield pool
    await pool.close()


async def test_each_year_is_counted_by_the_database_as_the_rules_count_it(
    pool: asyncpg.Pool,
) -> None:
    assert [p.label for p in YEARS] == ["period", "H1", "H2"]
    schema = read_model.schema_of(HALVES)
    year_cells = 0
    for seed in range(20):
        rng = random.Random(seed)
        async with pool.acquire() as conn:
            await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            await conn.execute(read_model.ddl(HALVES))
        everything = Ledger()
        for _ in range(rng.randint(1, 6)):
            chunk = [random_fact(rng, HALVES) for _ in range(rng.randint(0, 20))]
            async with pool.acquire() as conn, conn.transaction():
                await read_model.record(conn, HALVES, chunk)
            everything.record(chunk)
            async with pool.acquire() as conn:
                for f in FILTERS:
                    kept = await counted_state.totals(conn, schema, HALVES, f)
                    assert assemble(HALVES, f, kept) == figures(HALVES, everything, f), (seed, f)
                year_cells += await conn.fetchval(
                    f"SELECT count(*) FROM {schema}.cells WHERE period IN ('H1', 'H2') AND n <> 0"
                )
        h1 = assemble(HALVES, FILTERS[3], kept)  # the last chunk's first half, national
        assert {i.target for i in h1.indicators if i.id != "DIRECT"} == {10}
    assert year_cells > 0  # the years are read from their own kept cells
