"""A service far behind its topics is not ready until it caught up, and says its answers are
partial meanwhile; the recounts it kept while catching up give the rules' figures."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import httpx
import pytest

from eventkit.schema import CONSUMER_DDL, migrate
from services.indicators import counted_state, read_model
from services.indicators.app import IndicatorsSettings, create_app
from services.indicators.attainment import Filters, assemble, figures
from services.indicators.logframe import DEFAULT_DIRECTORY, load_directory
from tests.integration.indicators.publishing import fresh_topics, produce
from tests.support.infrastructure import KafkaEndpoint
from tests.support.services import make_keys, serve
from tests.support.store import open_pool
from tests.support.waiting import until
from tests.unit.indicators.builders import ledger_of, numbered, service
from tests.unit.indicators.test_order_independence import scenario

pytestmark = pytest.mark.integration
Y2 = load_directory()["pana_peru_y2_v1"]


async def test_not_ready_while_catching_up_from_far_behind_and_exact_once_caught_up(
    database: str, kafka: KafkaEndpoint, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    boot = kafka.admin
    topics = await fresh_topics(boot)
    events = [*scenario(), *numbered(service(6, "dignity_kit"))]
    await produce(boot, topics, events)
    logframes = tmp_path / "logframes"
    logframes.mkdir()
    shutil.copy(DEFAULT_DIRECTORY / "pana_peru_2022_2023_y2.yaml", logframes)  # Y2 alone
    prefix = f"behind-{uuid.uuid4().hex[:6]}"
    consumer, schema = read_model.consumer_of(Y2, prefix), read_model.schema_of(Y2)
    pool = await open_pool(database)
    gate = await pool.acquire()
    held, closed = gate.transaction(), True
    try:
        await migrate(pool, CONSUMER_DDL, read_model.ddl(Y2))
        # Stored positions at the topics' start: not a replay from scratch, but every event
        # is behind (a restart after downtime), more than `catch_up_after`.
        await pool.executemany(
            "INSERT INTO consumer_offsets VALUES ($1, $2, $3, 0)",
            [(consumer, topic, p) for topic in topics.values() for p in range(3)],
        )
        # The first batch waits at its kept recounts (`deferred.keep`) until the gate opens.
        await held.start()
        closed = False
        await gate.execute(f"LOCK TABLE {schema}.pending IN EXCLUSIVE MODE")
        keys = make_keys(tmp_path / "auth")
        monkeypatch.setenv("PANA_AUTH_JWKS_PATH", str(keys.jwks_path))
        settings = IndicatorsSettings(
            database_url=database,
            **kafka.settings("admin"),  # its topics are test topics, outside the indicators' ACLs
            consumer_prefix=prefix,
            source_topics=list(topics.values()),
            logframes_dir=logframes,
            catch_up_after=len(events) // 2,
        )
        async with (
            serve(lambda: create_app(settings), keys, until_ready=False) as running,
            httpx.AsyncClient(base_url=running.url, timeout=30) as anonymous,
        ):

            async def catching_up() -> bool:
                answer = await anonymous.get("/readyz")
                reason = answer.json().get("failed", {}).get(f"history of {consumer}", "")
                return answer.status_code == 503 and "rebuilding" in reason

            async def ready() -> bool:
                return (await anonymous.get("/readyz")).status_code == 200

            await until(catching_up, what="readiness says the read model catches up")
            partial = (await anonymous.get("/attainment")).json()
            assert partial["rebuilding"] == {"read": 0, "of": len(events), "progress": 0.0}
            assert not await ready()

            await held.rollback()
            closed = True
            await until(ready, within=60, what="ready once caught up")
            assert (await anonymous.get("/attainment")).json()["rebuilding"] is None
        async with pool.acquire() as conn:
            assert await conn.fetchval(f"SELECT count(*) FROM {schema}.pending") == 0
            kept = await counted_state.totals(conn, schema, Y2, Filters())
        assert assemble(Y2, Filters(), kept) == figures(Y2, ledger_of(Y2, events), Filters())
    finally:
        if not closed:
            await held.rollback()
        await pool.release(gate)
        await pool.close()
