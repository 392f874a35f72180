"""The 5W's Admin2 through the read model and the API: the province the recorded deliveries name,
empty for the ones that name none."""

# ruff: noqa: F811 (the API test's fixtures, imported, are parameters here)
from __future__ import annotations

import csv
import io

import asyncpg
import httpx
import pytest

from services.indicators.reports.r4v import HEADER
from tests.integration.indicators.test_api import (  # noqa: F401 (fixtures)
    app,
    apply,
    client,
    keys,
    pool,
)
from tests.support.services import Keys
from tests.unit.indicators.builders import numbered, registered, service
from tests.unit.indicators.reports.test_r4v_admin2 import PAP, with_admin2

pytestmark = pytest.mark.integration


async def test_the_5w_names_the_province_of_the_recorded_deliveries(
    client: httpx.AsyncClient, pool: asyncpg.Pool, keys: Keys
) -> None:
    await apply(pool, numbered(
        registered(1, "woman", "1990-05"), registered(2, "man", "1980-01"),
        with_admin2(service(1, PAP, "2023-03-02", region="piura"), "piura_sullana"),
        service(2, PAP, "2023-03-09", region="piura"),
    ))  # fmt: skip
    answer = await client.get("/reports/r4v-5w.csv?year=2023", headers=keys.headers("me_officer"))
    assert answer.status_code == 200
    lines = list(csv.DictReader(io.StringIO(answer.text)))
    assert list(lines[0]) == HEADER
    march = {
        line["Admin2"]: (line["Monthly women"], line["Monthly men"], line["Monthly total"])
        for line in lines
        if line["Logframe indicator"] == "OE2.7" and line["Month"] == "2023-03"
    }
    assert march == {"Sullana": ("1", "0", "1"), "": ("0", "1", "1")}
