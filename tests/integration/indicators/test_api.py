"""The read API on a real PostgreSQL read model: ETag/304, filters, 4xx, views, exports."""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from types import SimpleNamespace

import asyncpg
import httpx
import pytest
from aiokafka import TopicPartition
from fastapi import FastAPI
from openpyxl import load_workbook

from access.fastapi import use_verifier
from access.settings import TokenSettings
from contracts.envelope import envelope_for
from eventkit import replay
from eventkit.consumer import ConsumerRunner, Delivered
from services.indicators import read_model
from services.indicators.api import attainment_router
from services.indicators.catalog import Catalog
from services.indicators.live import live_router
from services.indicators.logframe import load_directory
from services.indicators.projection import AttainmentProjection
from services.indicators.reading import AttainmentReader
from tests.support.services import Keys, make_keys
from tests.support.store import open_pool
from tests.unit.indicators.builders import (
    Numbered,
    case_opened,
    numbered,
    referral_completed,
    registered,
    service,
    taken_up,
)
from tests.unit.indicators.test_order_independence import scenario

pytestmark = pytest.mark.integration
CATALOG = Catalog(load_directory(), "pana_peru_y2_v1")
Y2 = CATALOG.get(None)
CONSUMER = "indicators-api-test"


async def apply(pool: asyncpg.Pool, events: list[Numbered]) -> None:
    """What the consumer runner does for one batch (offsets aside), on the real database."""
    delivered = [
        Delivered(envelope_for(e, event_id=i, time=datetime.now(UTC)), "t", 0, n)
        for n, (i, e) in enumerate(events)
    ]
    async with pool.acquire() as conn, conn.transaction():
        await AttainmentProjection(Y2).apply(conn, delivered)
        await conn.executemany(
            "INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2)",
            [(CONSUMER, i) for i, _ in events],
        )


def gbv(n: int) -> list[Numbered]:
    """`n` GBV survivors assisted: OE1.1 counts them, in Tumbes."""
    return numbered(*(x for p in range(100, 100 + n) for x in (
        case_opened(p, region="tumbes"), referral_completed(p, region="tumbes"),
    )))  # fmt: skip


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await open_pool(database)
    await pool.execute(read_model.ddl(Y2))
    yield pool
    await pool.close()


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    return make_keys(tmp_path_factory.mktemp("auth"))


@pytest.fixture
async def app(pool: asyncpg.Pool, keys: Keys) -> FastAPI:
    reader = AttainmentReader()
    app = FastAPI()
    app.include_router(attainment_router(CATALOG, reader))
    app.include_router(live_router(CATALOG, reader, {Y2.key: CONSUMER}))
    app.state.pool = pool
    app.state.settings = SimpleNamespace(public_aggregates=True)
    use_verifier(app, TokenSettings(jwks_path=keys.jwks_path).verifier())
    return app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def test_etag_revalidation_gives_304_until_an_event_changes_the_figures(
    client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    await apply(pool, scenario())
    first = await client.get("/attainment")
    assert first.status_code == 200
    assert first.headers["cache-control"] == "private, no-cache"
    tag = first.headers["etag"]
    again = await client.get("/attainment", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.headers["etag"] == tag
    other = await client.get("/attainment?region=piura", headers={"If-None-Match": tag})
    assert other.status_code == 200  # another question, another tag
    await apply(pool, numbered(service(77, "psychological_first_aid")))
    changed = await client.get("/attainment", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["etag"] != tag
    pap = next(i for i in changed.json()["indicators"] if i["id"] == "OE2.7")
    assert pap["value"] == 3 and pap["target"] == 8550 and pap["percent"] == 0.0


async def test_one_indicator_with_its_tables_and_filters(
    client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    await apply(pool, scenario())
    body = (await client.get("/indicators/OE2.7")).json()
    assert body["logframe"] == "pana_peru_y2_v1" and body["start"] == "2022-09-01"
    pap = body["indicator"]
    assert pap["value"] == 2
    assert pap["sex_age"]["woman"]["adolescence"] == 1
    assert pap["regions"]["tumbes"] == 1
    assert pap["months"][0] == {"month": "2022-09", "new": 2, "cumulative": 2}
    piura = (await client.get("/indicators/OE2.7?region=piura")).json()["indicator"]
    assert piura["value"] == 1 and piura["regions"]["piura"] == 1
    october = await client.get("/indicators/OE2.7?from=2022-10-01&to=2022-10-31")
    assert october.json()["indicator"]["value"] == 1
    assert [m["month"] for m in october.json()["indicator"]["months"]] == ["2022-10"]


@pytest.mark.parametrize(
    ("path", "status", "says"),
    [
        ("/indicators/OE9.9", 404, "no indicator 'OE9.9'"),
        ("/attainment?logframe=nope", 404, "unknown logframe"),
        ("/attainment?region=caracas", 422, "region"),
        ("/attainment?from=2023-02-01&to=2023-01-01", 422, "'from' is after 'to'"),
        ("/attainment?from=2021-01-01&to=2021-12-31", 422, "does not overlap"),
        ("/attainment?from=yesterday", 422, "from"),
        ("/attainment?view=exact", 403, "M&E"),
        ("/positions/not-a-uuid", 422, "event_id"),
    ],
)
async def test_bad_requests_are_clear_4xx(
    client: httpx.AsyncClient, path: str, status: int, says: str
) -> None:
    response = await client.get(path)
    assert response.status_code == status
    assert says in response.text


async def test_small_cells_are_suppressed_for_viewers_and_exact_for_me_staff(
    client: httpx.AsyncClient, pool: asyncpg.Pool, keys: Keys
) -> None:
    await apply(pool, [*gbv(3), *numbered(taken_up(100, case=100), taken_up(101, case=101))])
    shown = {i["id"]: i for i in (await client.get("/attainment")).json()["indicators"]}
    assert shown["OE1.1"]["value"] == "<5" and shown["OE1.1"]["percent"] is None
    assert shown["OE1.1"]["regions"]["tumbes"] == "<5"
    assert shown["OE1.3"]["value"] == "<5"
    assert shown["DIRECT"]["value"] == 3  # not a GBV indicator: exact for everyone

    viewer = keys.headers("viewer")
    seen = {
        i["id"]: i for i in (await client.get("/attainment", headers=viewer)).json()["indicators"]
    }
    assert seen["OE1.1"]["value"] == "<5"  # a donor's viewer account: aggregates, suppressed
    assert (await client.get("/attainment?view=exact", headers=viewer)).status_code == 403

    me = keys.headers("me_officer")
    exact = {i["id"]: i for i in (await client.get("/attainment", headers=me)).json()["indicators"]}
    assert exact["OE1.1"]["value"] == 3 and exact["OE1.3"]["value"] == 2
    asked = await client.get("/attainment?view=suppressed", headers=me)
    assert asked.json()["indicators"][1]["value"] == "<5"  # M&E may ask for the public view


async def test_who_may_read_aggregates(client: httpx.AsyncClient, app: FastAPI, keys: Keys) -> None:
    clinic = keys.headers("clinic", provider_id="prov-1")
    assert (await client.get("/attainment", headers=clinic)).status_code == 403
    caseworker = keys.headers("caseworker", regions=["tumbes"])
    assert (await client.get("/attainment", headers=caseworker)).status_code == 403
    assert (
        await client.get("/attainment", headers={"Authorization": "Bearer x.y.z"})
    ).status_code == 401
    app.state.settings = SimpleNamespace(public_aggregates=False)
    assert (await client.get("/attainment")).status_code == 401


async def test_donor_exports_csv_and_xlsx(client: httpx.AsyncClient, pool: asyncpg.Pool) -> None:
    await apply(pool, [*scenario(), *gbv(7)])
    csv_answer = await client.get("/exports/donor.csv?region=tumbes")
    assert csv_answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv_answer.headers["content-disposition"]
    lines = csv_answer.text.splitlines()
    assert lines[0] == "logframe,indicator,title,unit,target,table,row,column,count"
    assert any(line.startswith("pana_peru_y2_v1,OE1.1,") and line.endswith(",value,,,5")
               for line in lines)  # fmt: skip
    # 7 survivors in Tumbes show as 5 outside the exact view (rounded down to base 5, issue 20)
    xlsx = await client.get("/exports/donor.xlsx")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames[:3] == ["Summary", "DIRECT", "OE1.1"]
    rows = list(book["Summary"].iter_rows(values_only=True))
    assert rows[2] == ("indicator", "title", "unit", "target", "value", "percent of target")
    pap = next(r for r in rows if r[0] == "OE2.7")
    assert pap[3:] == (8550, 2, 0.0)
    sheet = list(book["OE1.1"].iter_rows(values_only=True))
    assert sheet[3][0] == "sex \\ age group" and sheet[3][-1] == "total"


async def test_positions_wait_for_the_projection(
    client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    pending = str(uuid.uuid4())
    missing = await client.get(f"/positions/{pending}?timeout=0.1")
    assert missing.status_code == 408 and missing.json()["applied"] is False
    await apply(pool, [(pending, registered(5))])
    found = await client.get(f"/positions/{pending}?timeout=1")
    assert found.status_code == 200 and found.json()["applied"] is True


async def test_every_answer_says_rebuilding_while_the_version_is_replayed(
    app: FastAPI, client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    await apply(pool, scenario())
    runner = ConsumerRunner(pool, "unused:9092", consumer=CONSUMER, topics=[],
                            projection=AttainmentProjection(Y2))  # fmt: skip
    app.state.workers = [runner]
    app.router.routes.clear()  # the same routes, told which consumer serves the version
    app.include_router(attainment_router(CATALOG, AttainmentReader(), {Y2.key: CONSUMER}))
    await replay.start(pool, CONSUMER, {TopicPartition("t", 0): 10})  # 10 records to read
    runner.replay = await replay.progress(pool, CONSUMER)
    filtered = (await client.get("/attainment?region=piura")).json()

    partial = await client.get("/attainment")
    assert partial.json()["rebuilding"] == {"read": 0, "of": 10, "progress": 0.0}
    assert partial.headers["pana-rebuilding"] == "progress=0.0"
    one = await client.get("/indicators/OE2.7")
    assert one.json()["rebuilding"]["of"] == 10
    csv = await client.get("/exports/donor.csv")
    assert csv.headers["pana-rebuilding"] == "progress=0.0"
    book = load_workbook(io.BytesIO((await client.get("/exports/donor.xlsx")).content))
    summary = [row[0] for row in book["Summary"].iter_rows(values_only=True)]
    assert any(str(cell).startswith("REBUILDING: partial figures") for cell in summary)
    assert filtered["rebuilding"] is not None

    await pool.execute(  # the consumer reached the end offsets as of the replay's start
        "INSERT INTO consumer_offsets VALUES ($1, 't', 0, 10)", CONSUMER
    )
    runner.replay = await replay.progress(pool, CONSUMER)
    done = await client.get("/attainment", headers={"If-None-Match": partial.headers["etag"]})
    assert done.status_code == 200  # not 304: the same revision, no longer partial
    assert done.json()["rebuilding"] is None
    assert "pana-rebuilding" not in done.headers


async def test_answers_are_sized_by_the_series_asked_for_and_say_where_they_should_be(
    app: FastAPI, client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    app.state.clock = lambda: datetime(2023, 3, 1, 17, tzinfo=UTC)  # 12:00 in Lima
    await apply(pool, [*scenario(), *gbv(12)])
    monthly = await client.get("/attainment")
    yearly = await client.get("/attainment?series=year")
    cards = await client.get("/attainment?series=none")
    assert len(cards.content) < len(yearly.content) < len(monthly.content)
    by_id = {i["id"]: i for i in monthly.json()["indicators"]}
    assert len(by_id["OE2.7"]["months"]) == 12 and "years" not in by_id["OE2.7"]
    for i in cards.json()["indicators"]:
        assert "months" not in i and "years" not in i
    assert cards.json()["as_of"] == "2023-03-01" and cards.json()["series"] == "none"
    pap = next(i for i in cards.json()["indicators"] if i["id"] == "OE2.7")
    assert pap["expected"] == round(8550 * 182 / 365, 1) and pap["status"] == "behind"
    years = {i["id"]: i["years"] for i in yearly.json()["indicators"]}
    assert [y["year"] for y in years["OE2.7"]] == ["2022", "2023"]
    assert years["OE2.7"][-1]["cumulative"] == by_id["OE2.7"]["value"] == 2
    # Anonymous readers get the suppressed view: a protected indicator's years are published
    # from their own exact counts, so the series ends on the card's number.
    assert by_id["OE1.1"]["value"] == 10 and monthly.json()["view"] == "suppressed"  # rounded down
    assert years["OE1.1"][-1]["cumulative"] == 10
    assert sum(int(y["new"]) for y in years["OE1.1"] if y["new"] != "<5") % 5 == 0
    one = (await client.get("/indicators/OE1.1?series=year")).json()
    assert one["indicator"]["years"] == years["OE1.1"] and one["as_of"] == "2023-03-01"
    assert (await client.get("/attainment?series=week")).status_code == 422
