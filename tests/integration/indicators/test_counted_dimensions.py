"""Program dimensions in the counted state: the database's tables by population type and by a
coarser admin level equal the pure rules' under random histories, as `test_counted_state`
shows for the built-in tables (the Western Balkans program: countries over municipalities)."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Iterator
from datetime import date

import asyncpg
import pytest

from program.load import PROGRAMS_DIR, current_program
from services.indicators import counted_state, read_model
from services.indicators.attainment import Filters, assemble, figures
from services.indicators.facts import Act, AttributeSet, Fact, Merge, Revocation
from services.indicators.ledger import Ledger
from services.indicators.logframe import DEFAULT_DIRECTORY, Logframe, Unit, load_directory
from services.indicators.periods import published_periods
from tests.integration.indicators.test_read_model_changes import random_fact
from tests.support.store import open_pool
from tests.unit.indicators import facts_strategy as u

pytestmark = pytest.mark.integration
MUNICIPALITIES = ["rs_nis", "rs_belgrade", "ba_tuzla", "me_berane"]
ETHNICITIES = ["roma", "egyptian", "other"]
TYPES = ["host_community", "returnees"]


@pytest.fixture
def balkans(monkeypatch: pytest.MonkeyPatch) -> Iterator[Logframe]:
    monkeypatch.setenv("PANA_PROGRAM_FILE", str(PROGRAMS_DIR / "western_balkans.yaml"))
    current_program.cache_clear()
    lf = load_directory(DEFAULT_DIRECTORY / "western_balkans")["roma_women_wb_y1"]
    period = lf.period.model_copy(update={"start": date(2022, 9, 1), "end": date(2023, 8, 31)})
    yield lf.model_copy(update={
        "key": "counted_dims", "period": period, "timezone": "America/Lima",
        "disaggregations": [*lf.disaggregations, "population_type"],
    })  # fmt: skip
    current_program.cache_clear()


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await open_pool(database)
    yield pool
    await pool.close()


def _fact(rng: random.Random, logframe: Logframe) -> Fact:
    kind = rng.choice(["act", "act", "act", "revocation", "attribute", "attribute", "merge"])
    at, event = rng.choice(u.INSTANTS), rng.choice(u.EVENT_IDS)
    person = rng.choice(u.PEOPLE_IDS)
    if kind == "act":
        indicator = rng.choice(logframe.all_indicators)
        number = rng.randrange(len(indicator.requires))
        subject = rng.choice(u.CASE_IDS) if indicator.unit is Unit.CASES else person
        key, region = rng.choice(u.ACT_KEYS), rng.choice(MUNICIPALITIES)
        return Act(indicator.id, number, key, subject, person, at, region, event)
    if kind == "revocation":
        return Revocation(rng.choice(u.ACT_KEYS), at, event)
    if kind == "attribute":
        name, values = rng.choice([
            ("sex", u.SEXES), ("ethnicity", ETHNICITIES), ("population_type", TYPES),
        ])  # fmt: skip
        return AttributeSet(person, name, rng.choice(values), at, event)
    return Merge(person, rng.choice(u.PEOPLE_IDS), at, event)


async def test_the_database_tables_by_dimension_equal_the_rules(
    pool: asyncpg.Pool, balkans: Logframe
) -> None:
    lf, schema = balkans, read_model.schema_of(balkans)
    filters = [
        Filters(),
        Filters(region="ba_tuzla"),
        Filters(region="BIH"),
        Filters(region="SRB", start=date(2022, 10, 1), end=date(2023, 1, 31)),
        Filters(start=date(2022, 11, 1), end=date(2023, 2, 14)),
        *(Filters(start=p.start, end=p.end) for p in published_periods(lf)[:4]),
    ]
    counted_by_country = 0
    for seed in range(30):
        rng = random.Random(seed)
        async with pool.acquire() as conn:
            await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            await conn.execute(read_model.ddl(lf))
        everything = Ledger()
        for _ in range(rng.randint(1, 5)):
            chunk = [_fact(rng, lf) for _ in range(rng.randint(0, 20))]
            async with pool.acquire() as conn, conn.transaction():
                await read_model.record(conn, lf, chunk)
            everything.record(chunk)
            async with pool.acquire() as conn:
                for f in filters:
                    kept = await counted_state.totals(conn, schema, lf, f)
                    assert assemble(lf, f, kept) == figures(lf, everything, f), (seed, f)
        direct = figures(lf, everything, Filters()).indicators[0]
        assert [t.dimension for t in direct.dimensions] == [
            "country", "ethnicity", "population_type",
        ]  # fmt: skip
        counted_by_country += sum(int(n) for n in direct.dimensions[0].sex["total"].values())
    assert counted_by_country > 30  # the histories count people in the tables compared


async def test_a_read_model_made_before_dimensions_is_upgraded_in_place(
    pool: asyncpg.Pool,
) -> None:
    y2 = load_directory()["pana_peru_y2_v1"].model_copy(update={"key": "dims_upgrade"})
    schema, rng, everything = read_model.schema_of(y2), random.Random(7), Ledger()
    first = [random_fact(rng, y2) for _ in range(12)]
    async with pool.acquire() as conn:
        await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await conn.execute(read_model.ddl(y2))
        async with conn.transaction():
            await read_model.record(conn, y2, first)
        await conn.execute(f"""
            ALTER TABLE {schema}.candidates DROP COLUMN dims;
            ALTER TABLE {schema}.cells DROP COLUMN dims;
            ALTER TABLE {schema}.cells
                ADD PRIMARY KEY (scope, period, indicator, sex, age_group, region, month);
        """)  # the shape before program dimensions
        await conn.execute(read_model.ddl(y2))
        await conn.execute(read_model.ddl(y2))  # idempotent
        second = [random_fact(rng, y2) for _ in range(12)]
        async with conn.transaction():
            await read_model.record(conn, y2, second)
        everything.record(first)
        everything.record(second)
        for f in (Filters(), Filters(region="tumbes"), Filters(end=date(2022, 12, 31))):
            kept = await counted_state.totals(conn, schema, y2, f)
            assert assemble(y2, f, kept) == figures(y2, everything, f)
        assert sum(int(i.value) for i in figures(y2, everything, Filters()).indicators) > 0
        keys = await conn.fetchval(
            f"SELECT count(*) FROM pg_constraint WHERE conrelid = '{schema}.cells'::regclass"
            " AND contype = 'p'"
        )
        assert keys == 1
