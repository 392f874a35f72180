"""The 5W's Admin2 through the read model and the API for the acts of the referrals and vouchers
services and case openings: O.E. 2.2 (a redemption), O.E. 2.4 (a request) and O.E. 1.1 (a
completion, and an opening after the assistance) name the province their events carry."""

# ruff: noqa: F811 (the API test's fixtures, imported, are parameters here)
from __future__ import annotations

import csv
import io

import asyncpg
import httpx
import pytest

from tests.integration.indicators.test_api import (  # noqa: F401 (fixtures)
    app,
    apply,
    client,
    keys,
    pool,
)
from tests.support.services import Keys
from tests.unit.indicators.builders import (
    case_opened,
    numbered,
    redeemed,
    referral_completed,
    referral_requested,
    registered,
    service,
)
from tests.unit.indicators.reports.test_r4v_admin2 import PAP, with_admin2

pytestmark = pytest.mark.integration


async def test_the_5w_names_the_province_of_vouchers_referrals_and_openings(
    client: httpx.AsyncClient, pool: asyncpg.Pool, keys: Keys
) -> None:
    await apply(pool, numbered(
        registered(1, "woman", "1990-05"), registered(2, "man", "1980-01"),
        registered(3, "woman", "1985-07"),
        with_admin2(redeemed(1, 1, "2023-04-03", region="piura"), "piura_sullana"),
        redeemed(2, 2, "2023-04-04", region="piura"),
        with_admin2(referral_requested(2, day="2023-04-05", region="tumbes"), "tumbes_tumbes"),
        case_opened(1, day="2023-04-01"),
        with_admin2(referral_completed(1, day="2023-04-20"), "lima_lima"),
        service(3, PAP, "2023-04-02", region="lima_callao"),
        with_admin2(case_opened(3, day="2023-04-09"), "callao_callao"),
    ))  # fmt: skip
    answer = await client.get("/reports/r4v-5w.csv?year=2023", headers=keys.headers("me_officer"))
    assert answer.status_code == 200
    april = sorted(
        (line["Logframe indicator"], line["Admin2"], line["Monthly women"], line["Monthly men"])
        for line in csv.DictReader(io.StringIO(answer.text))
        if line["Month"] == "2023-04" and line["Logframe indicator"] in ("OE1.1", "OE2.2", "OE2.4")
    )
    assert april == [
        ("OE1.1", "Callao", "1", "0"),
        ("OE1.1", "Lima", "1", "0"),
        ("OE2.2", "", "0", "1"),
        ("OE2.2", "Sullana", "1", "0"),
        ("OE2.4", "Tumbes", "0", "1"),
    ]
