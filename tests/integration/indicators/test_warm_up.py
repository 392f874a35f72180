"""The default logframe version's read model is loaded at start-up, and readiness waits for it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.indicators import counted_state, read_model
from services.indicators.app import IndicatorsSettings, WarmUp, create_app
from services.indicators.attainment import Filters
from services.indicators.facts import Act, AttributeSet
from services.indicators.logframe import load_directory
from services.indicators.reading import AttainmentReader
from services.indicators.suppression import View
from tests.support.infrastructure import KafkaEndpoint
from tests.support.services import make_keys, serve
from tests.support.store import open_pool

pytestmark = pytest.mark.integration
Y2 = load_directory()["pana_peru_y2_v1"]
AT = datetime(2026, 3, 1, tzinfo=UTC)


async def _recorded(database: str) -> int:
    """A read model holding one registered person with one act; its revision."""
    person, event = str(uuid.uuid4()), str(uuid.uuid4())
    indicator = Y2.all_indicators[0]
    pool = await open_pool(database)
    try:
        await pool.execute(read_model.ddl(Y2))
        async with pool.acquire() as conn, conn.transaction():
            await read_model.record(conn, Y2, [
                AttributeSet(person, "sex", "female", AT, event),
                AttributeSet(person, "birth_year_month", "1990-01", AT, event),
                Act(indicator.id, 0, f"x:{event}", person, person, AT, "tumbes", event),
            ])  # fmt: skip
        async with pool.acquire() as conn:
            return await read_model.revision(conn, Y2)
    finally:
        await pool.close()


def _settings(database: str, kafka: KafkaEndpoint) -> IndicatorsSettings:
    return IndicatorsSettings(
        database_url=database,
        **kafka.settings("admin"),  # its topic is a test topic, outside the indicators' ACLs
        consumer_prefix=f"warm-{uuid.uuid4().hex[:6]}",
        source_topics=[f"warm-{uuid.uuid4().hex[:6]}"],
    )


async def test_ready_once_the_read_model_is_held(
    database: str, kafka: KafkaEndpoint, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    revision = await _recorded(database)
    keys = make_keys(tmp_path / "auth")
    monkeypatch.setenv("PANA_AUTH_JWKS_PATH", str(keys.jwks_path))
    settings = _settings(database, kafka)
    async with serve(lambda: create_app(settings), keys) as service:
        reader: AttainmentReader = service.app.state.reader
        held = reader.held(Y2, Filters())  # serve() returned on the first 200 from /readyz
        async with httpx.AsyncClient(base_url=service.url) as anonymous:
            ready = (await anonymous.get("/readyz")).json()
    assert (held, ready["checks"]["read_model"]) == (revision, "ok")


async def test_not_ready_until_loaded(database: str) -> None:
    await _recorded(database)
    pool = await open_pool(database)
    try:
        reader = AttainmentReader()
        warm_up = WarmUp(reader, pool, Y2)
        with pytest.raises(RuntimeError, match="still loading pana_peru_y2_v1"):
            await warm_up.check()
        await warm_up.run()
        await warm_up.check()
        assert reader.held(Y2, Filters()) is not None
    finally:
        await pool.close()


async def test_the_current_version_is_read_in_both_views_at_start_up(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dashboard opens on the current version (after `make up`, the demo), anonymous readers
    in the suppressed view: its first paint is then an answer already kept, no aggregation."""
    demo = load_directory()["pana_peru_demo_v1"]
    await _recorded(database)
    pool = await open_pool(database)
    try:
        await pool.execute(read_model.ddl(demo))
        reader = AttainmentReader()
        await WarmUp(reader, pool, Y2, demo).run()
        assert reader.held(demo, Filters()) is not None
        aggregated: list[str] = []
        totals = counted_state.totals

        async def counting(*args: Any, **kwargs: Any) -> Any:
            aggregated.append("read")
            return await totals(*args, **kwargs)

        monkeypatch.setattr(counted_state, "totals", counting)
        for logframe in (Y2, demo):
            for view in View:
                await reader.read(pool, logframe, Filters(), view)
        assert aggregated == []  # every first read was kept by the warm-up
        await reader.read(pool, demo, Filters(region="tumbes"), View.SUPPRESSED)
        assert aggregated == ["read"]  # (the count sees reads that were not kept)
    finally:
        await pool.close()


async def test_the_version_read_at_start_up_is_today_s_by_the_app_s_clock(
    database: str, kafka: KafkaEndpoint, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a day of Year 2 by the app's clock, dashboards open on Year 2 (the default), so the
    warm-up reads no other version beside it; by the wall clock (after Year 2) it would read
    the demo version too."""
    keys = make_keys(tmp_path / "auth")
    monkeypatch.setenv("PANA_AUTH_JWKS_PATH", str(keys.jwks_path))
    settings = _settings(database, kafka)
    in_year_two = datetime(2023, 1, 16, 12, tzinfo=UTC)
    async with serve(lambda: create_app(settings, clock=lambda: in_year_two), keys) as service:
        warm_up = next(w for w in service.app.state.workers if isinstance(w, WarmUp))
    assert (warm_up.logframe.key, warm_up.also) == ("pana_peru_y2_v1", [])
