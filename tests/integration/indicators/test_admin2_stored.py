"""An act's admin2 survives the read model: its table, its reload, the recorded log (as
recorded by a day), and a read model created before admin2 existed gains the column."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import pytest

from services.indicators import read_model
from services.indicators.facts import Act
from services.indicators.logframe import load_directory
from tests.support.store import open_pool

pytestmark = pytest.mark.integration
Y2 = load_directory()["pana_peru_y2_v1"].model_copy(update={"key": "admin2_stored"})
AT = datetime(2023, 3, 10, 15, tzinfo=UTC)
NAMED = Act("OE2.7", 0, "service.delivered:a", "p1", "p1", AT, "piura",
            "00000000-0000-4000-8000-000000000001", "piura_paita")  # fmt: skip
PLAIN = Act("OE2.7", 0, "service.delivered:b", "p2", "p2", AT, "piura",
            "00000000-0000-4000-8000-000000000002")  # fmt: skip


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await open_pool(database)
    yield pool
    await pool.close()


async def test_an_act_s_admin2_is_stored_reloaded_and_logged(pool: asyncpg.Pool) -> None:
    schema = read_model.schema_of(Y2)
    async with pool.acquire() as conn:
        await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        # A read model of before admin2: the acts table without the column.
        column = (
            f"ALTER TABLE {schema}.acts ADD COLUMN IF NOT EXISTS admin2 text NOT NULL DEFAULT '';"
        )
        assert column in read_model.ddl(Y2)
        await conn.execute(read_model.ddl(Y2).replace(column, ""))
        await conn.execute(read_model.ddl(Y2))  # start-up adds what it lacks
        async with conn.transaction():
            assert await read_model.record(conn, Y2, [NAMED, PLAIN])
        _, ledger = await read_model.load_ledger(conn, Y2)
        _, recorded = await read_model.load_recorded(conn, Y2, datetime(2100, 1, 1, tzinfo=UTC))
        logged = await conn.fetch(f"SELECT fact::text, event_id::text FROM {schema}.recorded")
    assert set(ledger.acts.values()) == {NAMED, PLAIN}
    assert set(recorded.acts.values()) == {NAMED, PLAIN}
    assert {r["event_id"] for r in logged} == {NAMED.event_id, PLAIN.event_id}
