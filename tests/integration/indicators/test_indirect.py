"""Indirect participants through Kafka: group activities' headcounts come out exact, apart.

Activities are produced on the topics beside a scenario of people served; a redelivered event
and a second event for an already recorded activity count once. The read API shows the
headcounts as the `indirect` entry (sums by sex x age, region, kind, month) and DIRECT and every
indicator are what they are without the activities.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from openpyxl import load_workbook

from access.fastapi import use_verifier
from access.settings import TokenSettings
from contracts.group_activities import GroupActivityRecorded
from eventkit.positions import wait_for_events
from services.indicators import read_model
from services.indicators.api import attainment_router
from services.indicators.attainment import Filters, figures
from services.indicators.catalog import Catalog
from services.indicators.logframe import load_directory
from services.indicators.reading import AttainmentReader
from tests.integration.indicators.publishing import fresh_topics, produce, projecting
from tests.support.infrastructure import KafkaEndpoint
from tests.support.services import Keys, make_keys
from tests.support.store import open_pool
from tests.unit.indicators.builders import STAFF, Numbered, at, ledger_of, numbered
from tests.unit.indicators.test_order_independence import scenario

pytestmark = pytest.mark.integration
CATALOG = Catalog(load_directory(), "pana_peru_y2_v1")
Y2 = CATALOG.get(None)


def activity(
    n: int, kind: str, region: str, day: str, cells: dict[str, int]
) -> GroupActivityRecorded:
    """Activity `n`; `cells` as `sex/age_group: count`."""
    return GroupActivityRecorded.model_validate(
        {
            "activity_id": uuid.UUID(f"00000000-0000-4000-9000-{n:012d}"),
            "kind": kind,
            "region": region,
            "headcounts": [
                {"sex": cell.split("/")[0], "age_group": cell.split("/")[1], "count": count}
                for cell, count in cells.items()
            ],
            "recorded_by": STAFF,
            "held_at": at(day),
        }
    )


FAIR = activity(
    1,
    "fair",
    "lima_callao",
    "2022-09-20",
    {"woman/youth": 120, "woman/adults": 45, "man/youth": 80, "non_binary/youth": 2},
)
TALK = activity(2, "talk", "tumbes", "2022-10-05", {"woman/adolescence": 30, "man/adolescence": 25})
POST = activity(
    3,
    "social_media_post",
    "lima_callao",
    "2022-10-31T23:30",  # Lima: still October
    {"woman/young_adults": 1000, "man/young_adults": 700},
)
BEFORE = activity(4, "fair", "lima_callao", "2022-08-31", {"woman/adults": 9})  # Year 1


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await open_pool(database)
    await pool.execute(read_model.ddl(Y2))
    yield pool
    await pool.close()


@pytest.fixture
async def client(pool: asyncpg.Pool, tmp_path: Any) -> AsyncIterator[httpx.AsyncClient]:
    """An M&E officer's client: the exact view (any window, any day as recorded)."""
    keys: Keys = make_keys(tmp_path)
    app = FastAPI()
    app.include_router(attainment_router(CATALOG, AttainmentReader()))
    app.state.pool = pool
    app.state.settings = SimpleNamespace(public_aggregates=True)
    use_verifier(app, TokenSettings(jwks_path=keys.jwks_path).verifier())
    transport = httpx.ASGITransport(app=app)
    me = keys.headers("me_officer")
    async with httpx.AsyncClient(transport=transport, base_url="http://test", headers=me) as c:
        yield c


async def test_headcounts_through_kafka_are_exact_and_never_in_the_unique_counts(
    pool: asyncpg.Pool, kafka: KafkaEndpoint, client: httpx.AsyncClient
) -> None:
    people = scenario()
    activities = numbered(FAIR, TALK, POST, BEFORE)
    resent = activities[0]  # the same event delivered again
    recounted = numbered(FAIR)  # the same activity under another event id: still once
    topics = await fresh_topics(kafka.admin)
    async with projecting(pool, kafka.admin, topics, Y2) as runner:
        for wave in (activities[:2], people, [resent, *activities[2:], *recounted]):
            await produce(kafka.admin, topics, wave)
            await wait_for_events(pool, runner.consumer, [i for i, _ in wave], within=60)

    body = (await client.get("/attainment")).json()
    indirect = body["indirect"]
    assert indirect["id"] == "INDIRECT" and indirect["target"] == 46850
    assert indirect["value"] == 247 + 55 + 1700 and indirect["activities"] == 3
    assert indirect["percent"] == round(100 * 2002 / 46850, 1)
    assert indirect["sex_age"]["woman"]["youth"] == 120
    assert indirect["sex_age"]["man"]["young_adults"] == 700
    assert indirect["sex_age"]["total"]["total"] == 2002
    assert indirect["regions"]["lima_callao"] == 1947 and indirect["regions"]["tumbes"] == 55
    assert indirect["by_kind"] == {"fair": 247, "talk": 55, "health_campaign": 0,
                                   "social_media_post": 1700}  # fmt: skip
    months = {m["month"]: (m["new"], m["cumulative"]) for m in indirect["months"]}
    assert months["2022-09"] == (247, 247) and months["2022-10"] == (1755, 2002)
    assert months["2022-11"] == (0, 2002)

    # Unique people: exactly what the people's events alone give, the activities in none.
    alone = {i.id: i.value for i in figures(Y2, ledger_of(Y2, people), Filters()).indicators}
    assert {i["id"]: i["value"] for i in body["indicators"]} == alone
    assert "INDIRECT" not in {i["id"] for i in body["indicators"]}

    tumbes = (await client.get("/attainment?region=tumbes")).json()["indirect"]
    assert tumbes["value"] == 55 and tumbes["sex_age"]["man"]["adolescence"] == 25
    october = (await client.get("/attainment?from=2022-10-01&to=2022-10-31")).json()["indirect"]
    assert october["value"] == 1755 and october["activities"] == 2


async def test_exports_carry_the_indirect_figure_after_the_indicators(
    pool: asyncpg.Pool, kafka: KafkaEndpoint, client: httpx.AsyncClient
) -> None:
    events: list[Numbered] = numbered(FAIR, TALK)
    topics = await fresh_topics(kafka.admin)
    async with projecting(pool, kafka.admin, topics, Y2) as runner:
        await produce(kafka.admin, topics, events)
        await wait_for_events(pool, runner.consumer, [i for i, _ in events], within=60)
    first = await client.get("/attainment")

    rows = list(csv.DictReader(io.StringIO((await client.get("/exports/donor.csv")).text)))
    mine = {(r["table"], r["row"], r["column"]): r["count"] for r in rows
            if r["indicator"] == "INDIRECT"}  # fmt: skip
    assert mine[("value", "", "")] == "302" and mine[("kind", "talk", "")] == "55"
    assert mine[("sex_age", "woman", "youth")] == "120"
    assert all(r["unit"] == "headcount" for r in rows if r["indicator"] == "INDIRECT")
    book = load_workbook(io.BytesIO((await client.get("/exports/donor.xlsx")).content))
    assert book.sheetnames[-1] == "INDIRECT"
    summary = {r[0]: r for r in book["Summary"].iter_rows(min_row=4, values_only=True)}
    assert summary["INDIRECT"][3:5] == (46850, 302)

    # As recorded by a day before they were recorded: no activity yet.
    before = (date.today() - timedelta(days=2)).isoformat()
    earlier = await client.get(f"/attainment?as_recorded_by={before}")
    assert earlier.json()["indirect"]["value"] == 0
    assert first.json()["indirect"]["value"] == 302
