"""The donor report's routes on a real PostgreSQL read model: the XLSX and the PDF of a known
year compared cell by cell with `/attainment` for the same question, in both views."""

# ruff: noqa: F811 (the API test's fixtures, imported, are parameters here)
from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest
from openpyxl import load_workbook

from services.indicators.reports.donor_pdf import count, percent
from services.indicators.reports.labels import AGE_LABELS, REGION_LABELS, SEX_LABELS
from services.indicators.reports.r4v import HEADER
from tests.integration.indicators.test_api import (  # noqa: F401 (fixtures)
    app,
    apply,
    client,
    gbv,
    keys,
    pool,
)
from tests.support.services import Keys
from tests.unit.indicators.reports.poppler import page_texts
from tests.unit.indicators.reports.test_r4v import year_2023
from tests.unit.indicators.test_order_independence import scenario

pytestmark = pytest.mark.integration
SEXES = ["woman", "man", "non_binary"]
UNKNOWN = "unknown"


def expected_age_rows(i: dict[str, Any]) -> list[tuple[object, ...]]:
    """The report's sex x age table as the API's figures say it should read."""
    table = i["sex_age"]
    sexes = [*SEXES, *([UNKNOWN] if _nonzero(table[UNKNOWN]["total"]) else []), "total"]
    ages = [a for a in table["total"] if a != "total"]
    ages = [a for a in ages if a != UNKNOWN or _nonzero(table["total"][UNKNOWN])]
    header = ("Grupo de edad", *(SEX_LABELS[s] for s in sexes))
    rows = [(AGE_LABELS[a], *(table[s][a] for s in sexes)) for a in [*ages, "total"]]
    return [header, *rows]


def expected_region_rows(i: dict[str, Any]) -> list[tuple[object, ...]]:
    table = i["sex_region"]
    sexes = [*SEXES, *([UNKNOWN] if _nonzero(table[UNKNOWN]["total"]) else []), "total"]
    header = ("Territorio", *(SEX_LABELS[s] for s in sexes))
    rows = [(REGION_LABELS.get(r, "Total"), *(table[s][r] for s in sexes)) for r in table["total"]]
    return [header, *rows]


def _nonzero(cell: object) -> bool:
    return isinstance(cell, int) and cell != 0


def block(rows: Sequence[tuple[object, ...]], first: str, width: int) -> list[tuple[object, ...]]:
    start = next(n for n, r in enumerate(rows) if r[0] == first)
    end = next((n for n in range(start, len(rows)) if rows[n][0] is None), len(rows))
    return [r[:width] for r in rows[start:end]]


async def check_workbook(client: httpx.AsyncClient, query: str, headers: dict[str, str]) -> int:
    """The workbook against the API for one question; returns the cells compared."""
    api = (await client.get(f"/attainment?{query}", headers=headers)).json()
    answer = await client.get(f"/reports/donor.xlsx?{query}", headers=headers)
    assert answer.status_code == 200 and "informe-" in answer.headers["content-disposition"]
    book = load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == ["Resumen", *(i["id"] for i in api["indicators"])]
    summary = list(book["Resumen"].iter_rows(values_only=True))
    by_id = {r[0]: r for r in block(summary, "Indicador", 6)[1:]}
    compared = 0
    for i in api["indicators"]:
        fraction = None if i["percent"] is None else i["percent"] / 100
        assert by_id[i["id"]][3:] == (i["target"], i["value"], fraction)
        rows = list(book[i["id"]].iter_rows(values_only=True))
        assert rows[4][:4] == (i["id"], i["target"], i["value"], fraction)
        ages, regions = expected_age_rows(i), expected_region_rows(i)
        assert block(rows, "Grupo de edad", len(ages[0])) == ages
        assert block(rows, "Territorio", len(regions[0])) == regions
        compared += 3 + sum(len(r) - 1 for r in [*ages[1:], *regions[1:]])
    return compared


async def test_the_workbook_equals_the_api_cell_by_cell_in_both_views(
    client: httpx.AsyncClient, pool: asyncpg.Pool, keys: Keys
) -> None:
    await apply(pool, [*scenario(), *gbv(7)])
    me = keys.headers("me_officer")
    compared = await check_workbook(client, "", me)  # exact
    compared += await check_workbook(client, "region=tumbes", me)
    compared += await check_workbook(client, "from=2022-10-01&to=2022-12-31", {})  # a quarter
    compared += await check_workbook(client, "view=suppressed", me)
    assert compared > 1000
    suppressed = load_workbook(io.BytesIO((await client.get("/reports/donor.xlsx")).content))
    exact = load_workbook(io.BytesIO((await client.get("/reports/donor.xlsx", headers=me)).content))
    survivors = ("OE1.1", 4000)  # 7 in Tumbes and the scenario's one: 8, shown as 5
    assert list(exact["OE1.1"].iter_rows(values_only=True))[4][:3] == (*survivors, 8)
    assert list(suppressed["OE1.1"].iter_rows(values_only=True))[4][:3] == (*survivors, 5)
    refused = await client.get("/reports/donor.xlsx?from=2022-10-02&to=2022-10-30")
    assert refused.status_code == 422  # outside the exact view, published periods only


async def test_the_workbook_as_recorded_by_a_past_day_equals_the_api_s(
    client: httpx.AsyncClient, pool: asyncpg.Pool, keys: Keys
) -> None:
    """Issue 27: the report "as recorded by any date" (every event here was recorded today)."""
    await apply(pool, [*scenario(), *gbv(7)])
    me = keys.headers("me_officer")
    yesterday = datetime.now(ZoneInfo("America/Lima")).date() - timedelta(days=1)
    assert await check_workbook(client, f"as_recorded_by={yesterday}", me) > 100
    then = await client.get(f"/reports/donor.xlsx?as_recorded_by={yesterday}", headers=me)
    now = await client.get("/reports/donor.xlsx", headers=me)
    rows = {
        when: list(load_workbook(io.BytesIO(a.content))["OE1.1"].iter_rows(values_only=True))
        for when, a in (("then", then), ("now", now))
    }
    assert rows["then"][4][:3] == ("OE1.1", 4000, 0) and rows["now"][4][:3] == ("OE1.1", 4000, 8)


async def test_the_pdf_prints_the_apis_figures(
    client: httpx.AsyncClient, pool: asyncpg.Pool, keys: Keys, tmp_path: Path
) -> None:
    await apply(pool, [*scenario(), *gbv(7)])
    for headers in (keys.headers("me_officer"), {}):
        api = (await client.get("/attainment", headers=headers)).json()
        answer = await client.get("/reports/donor.pdf", headers=headers)
        assert answer.headers["content-type"] == "application/pdf"
        pages = page_texts(answer.content, tmp_path)
        assert len(pages) == 2 + len(api["indicators"])
        for n, i in enumerate(api["indicators"]):
            page = pages[2 + n]
            assert page.lstrip().startswith(f"{i['id']}:")
            for label, *cells in expected_age_rows(i)[1:] + expected_region_rows(i)[1:]:
                line = next(x for x in page.splitlines() if x.strip().startswith(str(label)))
                printed = [c for c in re.split(r"\s{2,}", line.strip()) if c]
                assert printed == [label, *(count(c) for c in cells)]  # type: ignore[arg-type]
            summary_line = next(x for x in pages[1].splitlines() if x.startswith(i["id"]))
            assert summary_line.rstrip().endswith(percent(i["percent"]))


async def test_the_r4v_5w_through_the_read_model(
    client: httpx.AsyncClient, pool: asyncpg.Pool, keys: Keys
) -> None:
    await apply(pool, year_2023())
    me = keys.headers("me_officer")
    answer = await client.get("/reports/r4v-5w.csv?year=2023", headers=me)
    assert answer.status_code == 200 and "r4v-5w-pana_peru_y2_v1-2023.csv" in (
        answer.headers["content-disposition"])  # fmt: skip
    lines = list(csv.reader(io.StringIO(answer.text)))
    assert lines[0] == HEADER
    march = next(x for x in lines if x[10] == "OE2.7" and x[8] == "2023-03" and x[1] != "Piura")
    assert march[11:] == ["1", "0", "1", "0", "0", "2", "1", "1", "1", "0", "1", "4"]
    book = load_workbook(io.BytesIO(
        (await client.get("/reports/r4v-5w.xlsx?year=2023", headers=me)).content))  # fmt: skip
    assert [[str(c) for c in r] for r in book["5W"].iter_rows(values_only=True)][1:] == [
        [c if c != "" else "None" for c in line] for line in lines[1:]]  # fmt: skip
    assert (await client.get("/reports/r4v-5w.csv?year=2023")).status_code == 401
    viewer = keys.headers("viewer")
    assert (await client.get("/reports/r4v-5w.csv", headers=viewer)).status_code == 403


async def check_exports_sex_region(
    client: httpx.AsyncClient, query: str, headers: dict[str, str]
) -> int:
    """The CSV's and the workbook's sex x region against `/attainment`'s `sex_region`, every
    cell (totals included) for every indicator; returns the cells compared."""
    api = (await client.get(f"/attainment?{query}", headers=headers)).json()
    text = (await client.get(f"/exports/donor.csv?{query}", headers=headers)).text
    from_csv: dict[str, dict[str, dict[str, str]]] = {}
    for r in csv.DictReader(io.StringIO(text)):
        if r["table"] == "sex_region":
            from_csv.setdefault(r["indicator"], {}).setdefault(r["row"], {})[r["column"]] = r[
                "count"
            ]
    answer = await client.get(f"/exports/donor.xlsx?{query}", headers=headers)
    book = load_workbook(io.BytesIO(answer.content))
    compared = 0
    for i in api["indicators"]:
        table = i["sex_region"]
        assert from_csv[i["id"]] == {
            s: {r: str(n) for r, n in row.items()} for s, row in table.items()
        }
        columns = list(table["total"])
        rows = block(
            list(book[i["id"]].iter_rows(values_only=True)), "sex \\ region", 1 + len(columns)
        )
        assert rows[0] == ("sex \\ region", *columns)
        labels = {"woman": "Mujeres", "man": "Hombres", "non_binary": "No binario"}
        assert rows[1:] == [
            (labels.get(s, s), *(row[c] for c in columns)) for s, row in table.items()
        ]
        compared += 2 * sum(len(row) for row in table.values())
    return compared


async def test_the_exports_carry_sex_by_region_equal_to_the_api_cell_by_cell(
    client: httpx.AsyncClient, pool: asyncpg.Pool, keys: Keys
) -> None:
    await apply(pool, [*scenario(), *gbv(7)])
    me = keys.headers("me_officer")
    compared = await check_exports_sex_region(client, "", me)  # exact
    compared += await check_exports_sex_region(client, "region=tumbes", me)
    compared += await check_exports_sex_region(client, "from=2022-10-01&to=2022-12-31", {})
    compared += await check_exports_sex_region(client, "view=suppressed", me)
    assert compared > 1000
    totals = []
    for who in (me, {}):  # 7 in Tumbes and the scenario's one: 8, shown as 5
        text = (await client.get("/exports/donor.csv", headers=who)).text
        wanted = ("OE1.1", "sex_region", "total", "total")
        rows = csv.DictReader(io.StringIO(text))
        [total] = [r["count"] for r in rows
                   if (r["indicator"], r["table"], r["row"], r["column"]) == wanted]  # fmt: skip
        totals.append(total)
    assert totals == ["8", "5"]
