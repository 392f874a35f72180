"""Issue 20's attacks through the HTTP API, on a real PostgreSQL read model.

Nine GBV survivors assisted (OE1.1): six in Tumbes on 5 October 2022, an adolescent girl in
Tumbes on 20 October, two in Piura on 10 October. Before: up to 20 October minus up to the
19th gave the girl (7 - 6), and national minus Tumbes gave Piura's hidden 2 (9 - 7), in JSON
and in the viewer's CSV. Random data and every strategy: `tests/unit/indicators/test_disclosure.py`.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import asyncpg
import httpx
import pytest

from contracts.event import Event
from tests.integration.indicators import test_api
from tests.integration.indicators.test_api import apply
from tests.support.services import Keys
from tests.unit.indicators.builders import case_opened, numbered, referral_completed, registered

pytestmark = pytest.mark.integration
# The read API's fixtures (real PostgreSQL read model, the service's routers, signed tokens).
pool, keys, app, client = test_api.pool, test_api.keys, test_api.app, test_api.client

ROUTES = ["/attainment", "/indicators/OE1.1", "/exports/donor.csv", "/exports/donor.xlsx"]
NOT_EXACT: dict[str, dict[str, object] | None] = {
    "anonymous": None,
    "viewer": {},
    "supervisor": {"regions": ["tumbes"]},  # reads aggregates, not exact ones (audience.py)
}


async def survivors(pool: asyncpg.Pool) -> None:
    def assisted(p: int, day: str, region: str, born: str = "1990-05") -> list[Event]:
        return [registered(p, "woman", born), case_opened(p, day="2022-10-01", region=region),
                referral_completed(p, day=day, region=region)]  # fmt: skip

    events = [e for p in range(1, 7) for e in assisted(p, "2022-10-05", "tumbes")]
    events += assisted(7, "2022-10-20", "tumbes", born="2008-03")  # an adolescent girl
    events += [e for p in (8, 9) for e in assisted(p, "2022-10-10", "piura")]
    await apply(pool, numbered(*events))


def headers(keys: Keys, who: str) -> dict[str, str]:
    claims = NOT_EXACT[who]
    return {} if claims is None else keys.headers(who, **claims)


async def oe11(client: httpx.AsyncClient, query: str, head: dict[str, str]) -> dict[str, Any]:
    answer = await client.get(f"/indicators/OE1.1?{query}", headers=head)
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()["indicator"]
    return found


def csv_value(text: str) -> str:
    rows = csv.DictReader(io.StringIO(text))
    return next(r["count"] for r in rows if r["indicator"] == "OE1.1" and r["table"] == "value")


@pytest.mark.parametrize("who", list(NOT_EXACT))
async def test_one_day_differencing_is_refused_outside_the_exact_view(
    client: httpx.AsyncClient, pool: asyncpg.Pool, keys: Keys, who: str
) -> None:
    await survivors(pool)
    head = headers(keys, who)
    for route in ROUTES:
        for day in ("2022-10-20", "2022-10-19"):
            for window in (f"to={day}", f"from=2022-09-01&to={day}", f"from={day}&to={day}"):
                answer = await client.get(f"{route}?region=tumbes&{window}", headers=head)
                assert answer.status_code == 422, (route, window, answer.text)
                assert "fixed periods only" in answer.text and "2022-09-30" in answer.text
    # The periods that are published answer: a month, a quarter, the whole period.
    for window in ("from=2022-10-01&to=2022-10-31", "from=2022-10-01&to=2022-12-31", ""):
        shown = await oe11(client, f"region=tumbes&{window}", head)
        assert shown["value"] == 5  # 7 rounded down to base 5
    listed = (await client.get("/logframes")).json()["logframes"][0]["periods"]
    assert {"label": "2022-10", "kind": "month", "from": "2022-10-01", "to": "2022-10-31"} in listed
    assert {
        "label": "2022-Q4",
        "kind": "quarter",
        "from": "2022-10-01",
        "to": "2022-12-31",
    } in listed


async def test_exact_audiences_keep_any_day_range_and_exact_figures(
    client: httpx.AsyncClient, pool: asyncpg.Pool, keys: Keys
) -> None:
    await survivors(pool)
    for role in ("me_officer", "administrator"):
        head = keys.headers(role)
        to_20 = await oe11(client, "region=tumbes&to=2022-10-20", head)
        to_19 = await oe11(client, "region=tumbes&to=2022-10-19", head)
        assert (to_20["value"], to_19["value"]) == (7, 6)
        assert (await oe11(client, "", head))["value"] == 9
        refused = await client.get("/attainment?to=2022-10-19&view=suppressed", headers=head)
        assert refused.status_code == 422  # the published view is the same for everyone


@pytest.mark.parametrize("who", list(NOT_EXACT))
async def test_national_minus_a_region_gives_no_hidden_region_back(
    client: httpx.AsyncClient, pool: asyncpg.Pool, keys: Keys, who: str
) -> None:
    await survivors(pool)
    head = headers(keys, who)
    national = await oe11(client, "", head)
    tumbes = await oe11(client, "region=tumbes", head)
    piura = await oe11(client, "region=piura", head)
    assert (national["value"], tumbes["value"], piura["value"]) == (5, 5, "<5")  # 9, 7, 2
    assert national["value"] - tumbes["value"] != 2
    assert national["regions"] == {
        "lima_callao": "<5", "la_libertad": "<5", "piura": "<5", "tumbes": 5
    }  # fmt: skip
    assert national["percent"] == round(100 * 5 / 4000, 1)
    # The same through the CSV export.
    whole = await client.get("/exports/donor.csv", headers=head)
    region = await client.get("/exports/donor.csv?region=tumbes", headers=head)
    assert int(csv_value(whole.text)) - int(csv_value(region.text)) != 2
    assert (csv_value(whole.text), csv_value(region.text)) == ("5", "5")
    # October's sex x age table: the girl stays inside "<5", like the empty cells beside her.
    october = await oe11(client, "region=tumbes&from=2022-10-01&to=2022-10-31", head)
    assert october["sex_age"]["woman"]["adolescence"] == "<5"
    assert october["sex_age"]["woman"]["total"] == 5
    assert october["sex_age"]["man"]["adolescence"] == "<5"  # nobody: 0 looks like 1-4
