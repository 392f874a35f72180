"""Figures as recorded by a day, through Kafka: a late entry recorded today for last month
changes today's figure for last month, and the export "as recorded by yesterday" stays the one
taken before it, byte for byte."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI
from openpyxl import load_workbook

from access.fastapi import use_verifier
from access.settings import TokenSettings
from contracts.envelope import envelope_for, to_kafka
from eventkit.kafka_access import KafkaAccess
from eventkit.positions import wait_for_events
from services.indicators import read_model
from services.indicators.api import attainment_router
from services.indicators.catalog import Catalog
from services.indicators.facts import facts_from
from services.indicators.logframe import load_directory
from services.indicators.reading import AttainmentReader
from tests.integration.indicators.publishing import fresh_topics, projecting, topic_of
from tests.support.infrastructure import KafkaEndpoint
from tests.support.services import Keys, make_keys
from tests.support.store import open_pool
from tests.unit.indicators.builders import Numbered, message, numbered, registered

pytestmark = pytest.mark.integration
CATALOG = Catalog(load_directory(), "pana_peru_demo_v1")
DEMO = CATALOG.get(None)
HEALTH = "OE2.5"
NOW = datetime.now(UTC)
TODAY = NOW.astimezone(DEMO.zone).date()
LAST_MONTH_END = TODAY.replace(day=1) - timedelta(days=1)
LAST_MONTH = {"from": str(LAST_MONTH_END.replace(day=1)), "to": str(LAST_MONTH_END)}


async def produce_recorded_at(
    bootstrap: KafkaAccess, topics: dict[str, str], events: Sequence[Numbered], at: datetime
) -> None:
    """Produce events whose envelopes say they were recorded at `at` (the store's stamp)."""
    producer = AIOKafkaProducer(**bootstrap.options(), enable_idempotence=True, acks="all")
    await producer.start()
    try:
        for event_id, event in events:
            key, value, headers = to_kafka(envelope_for(event, event_id=event_id, time=at))
            await producer.send_and_wait(
                topic_of(topics, event.event_type), value, key=key, headers=headers
            )
    finally:
        await producer.stop()


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await open_pool(database)
    await pool.execute(read_model.ddl(DEMO))
    yield pool
    await pool.close()


@pytest.fixture
async def client(
    pool: asyncpg.Pool, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[httpx.AsyncClient, Keys]]:
    keys = make_keys(tmp_path_factory.mktemp("auth"))
    app = FastAPI()
    app.include_router(attainment_router(CATALOG, AttainmentReader()))
    app.state.pool = pool
    app.state.settings = SimpleNamespace(public_aggregates=True)
    use_verifier(app, TokenSettings(jwks_path=keys.jwks_path).verifier())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client, keys


async def test_a_read_model_older_than_the_log_has_its_facts_as_recorded_at_the_beginning(
    pool: asyncpg.Pool,
) -> None:
    events = numbered(registered(1, day=day_of(1)), message(1, day=day_of(10)))
    facts = [f for i, e in events for f in facts_from(DEMO, i, e)]
    schema = read_model.schema_of(DEMO)
    async with pool.acquire() as conn:
        await read_model.record(conn, DEMO, facts)
        await conn.execute(f"DROP TABLE {schema}.recorded")  # as before the log existed
        await conn.execute(read_model.ddl(DEMO))
        _, now = await read_model.load_ledger(conn, DEMO)
        _, then = await read_model.load_recorded(conn, DEMO, datetime(2000, 1, 1, tzinfo=UTC))
    assert then == now and len(now.facts()) == len(facts)


def day_of(last_month_day: int) -> str:
    return str(LAST_MONTH_END.replace(day=last_month_day))


async def test_a_late_entry_changes_today_and_not_the_export_as_recorded_by_yesterday(
    pool: asyncpg.Pool, kafka: KafkaEndpoint, client: tuple[httpx.AsyncClient, Keys]
) -> None:
    http, keys = client
    me = keys.headers("me_officer")
    boot = kafka.admin
    topics = await fresh_topics(boot)
    yesterday: date = TODAY - timedelta(days=1)
    published = numbered(registered(1, day=day_of(1)), registered(2, day=day_of(1)),
                         message(1, day=day_of(10)))  # fmt: skip
    late = numbered(message(2, day=day_of(12)))

    async def health(**asked: str) -> object:
        answer = await http.get("/attainment", params={**LAST_MONTH, **asked}, headers=me)
        assert answer.status_code == 200, answer.text
        return next(i for i in answer.json()["indicators"] if i["id"] == HEALTH)["value"]

    async def exports(**asked: str) -> tuple[bytes, list[list[object]]]:
        """The donor CSV (bytes) and the donor report workbook's cells (its file carries the
        time it was written)."""
        found = []
        for path in ("/exports/donor.csv", "/reports/donor.xlsx"):
            answer = await http.get(path, params={**LAST_MONTH, **asked}, headers=me)
            assert answer.status_code == 200, answer.text
            found.append(answer.content)
        book = load_workbook(io.BytesIO(found[1]))
        cells: list[list[object]] = [[c.value for c in row] for s in book for row in s.iter_rows()]
        return found[0], cells

    async with projecting(pool, boot, topics, DEMO) as runner:
        # Last month, as entered in time: recorded three days ago.
        await produce_recorded_at(boot, topics, published, NOW - timedelta(days=3))
        await wait_for_events(pool, runner.consumer, [i for i, _ in published], within=30)
        by_yesterday = {"as_recorded_by": str(yesterday)}
        csv_before, report_before = await exports(**by_yesterday)
        assert (csv_before, report_before) == await exports()  # ledger path == tables path
        assert await health() == await health(**by_yesterday) == 1

        # A supervisor's late entry for last month, recorded now.
        await produce_recorded_at(boot, topics, late, NOW)
        await wait_for_events(pool, runner.consumer, [i for i, _ in late], within=30)

    assert await health() == 2
    assert await health(as_recorded_by=str(TODAY)) == 2
    assert await health(**by_yesterday) == 1
    csv_after, report_after = await exports(**by_yesterday)
    assert csv_after == csv_before and report_after == report_before
    csv_today, report_today = await exports()
    assert csv_today != csv_before and report_today != report_before

    # Outside the exact view, only a month's last day: recording days a day apart, differenced,
    # could single a person out.
    in_month = {**LAST_MONTH, "as_recorded_by": str(LAST_MONTH_END.replace(day=15))}
    assert (await http.get("/exports/donor.csv", params=in_month)).status_code == 422
    month_end = {**LAST_MONTH, "as_recorded_by": str(LAST_MONTH_END)}
    assert (await http.get("/exports/donor.csv", params=month_end)).status_code == 200
