"""The dashboard in a real headless chromium against the service run as a process.

Events are published the way write services publish them (event store + outbox relay, to
Kafka); the write services' HTTP APIs do not exist yet, so the test appends to a store itself.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page

from deploy.local.processes import free_port
from tests.integration.indicators.publishing import fresh_topics, store_and_relay
from tests.support.infrastructure import KafkaEndpoint
from tests.support.services import make_keys
from tests.support.store import open_pool
from tests.unit.indicators.builders import (
    Numbered,
    case_opened,
    numbered,
    referral_completed,
    registered,
    service,
)
from tests.unit.indicators.test_order_independence import scenario

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[3]


class Service:
    def __init__(self, url: str, process: subprocess.Popen[bytes]) -> None:
        self.url, self.process = url, process


@pytest.fixture
async def topics(kafka: KafkaEndpoint) -> dict[str, str]:
    return await fresh_topics(kafka.admin)


@pytest.fixture
async def indicators(
    database: str, kafka: KafkaEndpoint, topics: dict[str, str], tmp_path: Path
) -> AsyncIterator[Service]:
    port = free_port()
    env = {
        **os.environ,
        "PANA_DATABASE_URL": database,
        **kafka.admin.env(),  # its topics are test topics, outside the indicators' ACLs
        "PANA_PORT": str(port),
        "PANA_SOURCE_TOPICS": json.dumps(list(topics.values())),
        "PANA_CONSUMER_PREFIX": f"indicators-e2e-{uuid.uuid4().hex[:6]}",
        "PANA_ENVIRONMENT": "test",
        "PANA_AUTH_JWKS_PATH": str(make_keys(tmp_path / "auth").jwks_path),
    }
    log = (tmp_path / "indicators.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "services.indicators"], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=url) as client:
            for _ in range(600):
                try:
                    if (await client.get("/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert process.poll() is None, (tmp_path / "indicators.log").read_text()
                await asyncio.sleep(0.05)
            else:
                raise TimeoutError((tmp_path / "indicators.log").read_text())
        yield Service(url, process)
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


async def publish(
    database: str, kafka: KafkaEndpoint, topics: dict[str, str], service_url: str,
    events: list[Numbered],
) -> None:  # fmt: skip
    """Store and relay events (the writers' path), then wait until the dashboard's service
    applied every one of them (read-your-writes through its API)."""
    pool = await open_pool(database, max_size=4)
    try:
        await store_and_relay(pool, database, kafka.admin, topics, events)
    finally:
        await pool.close()
    async with httpx.AsyncClient(base_url=service_url) as client:
        for event_id, _ in events:
            answer = await client.get(f"/positions/{event_id}?timeout=20", timeout=30)
            assert answer.status_code == 200, answer.text


async def shown_values(page: Page) -> dict[str, str]:
    return dict(await page.eval_on_selector_all(
        "[data-indicator]",
        "cards => cards.map(c => [c.dataset.indicator,"
        " c.querySelector('[data-field=value]').textContent])",
    ))  # fmt: skip


async def test_the_dashboard_shows_the_api_figures_and_updates_live(
    indicators: Service,
    database: str,
    kafka: KafkaEndpoint,
    topics: dict[str, str],
    browser: Browser,
) -> None:
    await publish(database, kafka, topics, indicators.url, scenario())
    async with httpx.AsyncClient(base_url=indicators.url) as api:
        expected = {
            i["id"]: str(i["value"]) for i in (await api.get("/attainment")).json()["indicators"]
        }
    assert expected["OE2.7"] == "2"

    page = await browser.new_page(viewport={"width": 390, "height": 844})  # a phone
    await page.goto(f"{indicators.url}/dashboard")
    await page.wait_for_selector('[data-indicator="OE2.7"] [data-field="value"]')
    assert await shown_values(page) == expected
    assert await page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth"
    )  # readable on a phone: no sideways scrolling of the page
    await page.evaluate("window.notReloaded = true")

    await publish(database, kafka, topics, indicators.url, numbered(
        registered(40, "man", "1995-01"), service(40, "psychological_first_aid"),
    ))  # fmt: skip
    await page.wait_for_function(
        "document.querySelector('[data-indicator=\"OE2.7\"] [data-field=value]')"
        ".textContent === '3'",
        timeout=10_000,
    )
    assert await page.evaluate("window.notReloaded === true")
    async with httpx.AsyncClient(base_url=indicators.url) as api:
        now = (await api.get("/attainment")).json()["indicators"]
    assert await shown_values(page) == {i["id"]: str(i["value"]) for i in now}
    pap = page.locator('[data-indicator="OE2.7"]')
    await pap.locator("summary", has_text="Sexo \u00d7 edad").click()
    assert await pap.locator("table tr", has_text="Hombres").first.is_visible()

    # Fixed periods only (issue 20): no day pickers; a month is read as published.
    assert await page.locator("input[type=date]").count() == 0
    loads = await page.evaluate("document.body.dataset.loads")
    await page.select_option("#year", "2022")
    await page.wait_for_function(f"document.body.dataset.loads !== '{loads}'")
    loads = await page.evaluate("document.body.dataset.loads")
    await page.select_option("#period", label="10/2022")  # dd/mm/aaaa's month
    await page.wait_for_function(f"document.body.dataset.loads !== '{loads}'")
    shown_window = await page.text_content("#window") or ""
    assert shown_window.startswith("01/10/2022 \u2013 31/10/2022")  # en dash
    assert await page.locator("#error").is_hidden()


async def test_the_dashboard_opens_on_the_running_logframe_and_follows_its_address(
    indicators: Service, browser: Browser
) -> None:
    async with httpx.AsyncClient(base_url=indicators.url) as api:
        catalog = (await api.get("/logframes")).json()
    assert catalog["current"] != catalog["default"]  # Year 2 is over; the demo period runs
    page = await browser.new_page()
    await page.goto(f"{indicators.url}/dashboard")
    await page.wait_for_selector("[data-indicator]")
    assert await page.input_value("#logframe") == catalog["current"]

    await page.goto(f"{indicators.url}/dashboard?logframe={catalog['default']}")
    await page.wait_for_selector("[data-indicator]")
    assert await page.input_value("#logframe") == catalog["default"]

    await page.select_option("#logframe", catalog["current"])
    assert page.url.endswith(f"?logframe={catalog['current']}")  # a link to share


ARTIFACTS = ROOT / ".artifacts"  # git-ignored: screenshots of the runs, never committed
DEMO = "pana_peru_demo_v1"  # 2020-2099: 960 months, the long period of issue 27
SPANISH = {"Adelantado", "En camino", "Atrasado", "Aún no empieza"}

CHARTS = """() => [...document.querySelectorAll('[data-indicator]')].map(card => {
  const svg = card.querySelector('svg.chart');
  const boxes = svg ? [...svg.querySelectorAll('text.axis')].map(t => {
    const b = t.getBoundingClientRect(); return [b.left, b.right]; }) : [];
  const rects = svg ? [...svg.querySelectorAll('rect.col')] : [];
  return {id: card.dataset.indicator,
    value: card.querySelector('[data-field=value]').textContent,
    status: card.querySelector('[data-field=status]')?.textContent.trim() ?? '',
    total: card.querySelector('[data-field=chart-total]')?.textContent ?? '',
    bars: rects.length, drawn: rects.filter(r => r.getBoundingClientRect().height > 0.5).length,
    sized: rects.filter(r => Number(r.getAttribute('height')) > 0.5).length,
    last: rects.length ? rects[rects.length - 1].dataset.cumulative : null,
    series: svg?.dataset.series, labels: boxes};
})"""


def gbv_survivors(n: int) -> list[Numbered]:
    """`n` GBV survivors assisted in Tumbes: the protected indicator OE1.1 counts them."""
    return numbered(*(x for p in range(300, 300 + n) for x in (
        case_opened(p, region="tumbes"), referral_completed(p, region="tumbes"),
    )))  # fmt: skip


async def test_a_long_period_reads_in_spanish_with_status_at_phone_and_desktop_width(
    indicators: Service,
    database: str,
    kafka: KafkaEndpoint,
    topics: dict[str, str],
    browser: Browser,
) -> None:
    await publish(database, kafka, topics, indicators.url, [*scenario(), *gbv_survivors(12)])
    async with httpx.AsyncClient(base_url=indicators.url) as api:
        sizes = {
            series: len((await api.get(f"/attainment?logframe={DEMO}{query}")).content)
            for series, query in [("month", ""), ("year", "&series=year"), ("none", "&series=none")]
        }
        cards = (await api.get(f"/attainment?logframe={DEMO}&series=none")).json()
    print(f"\n/attainment?logframe={DEMO} bytes by series: {sizes}")
    assert sizes["none"] < sizes["year"] < sizes["month"]
    want = {i["id"]: i for i in cards["indicators"]}
    assert want["OE1.1"]["value"] == 10 and cards["view"] == "suppressed"  # 13, rounded down

    ARTIFACTS.mkdir(exist_ok=True)
    for name, width, height in [("phone", 390, 844), ("desktop", 1280, 900)]:
        page = await browser.new_page(viewport={"width": width, "height": height})
        await page.goto(f"{indicators.url}/dashboard?logframe={DEMO}")
        await page.wait_for_function(
            "document.querySelectorAll('svg.chart').length > 0 &&"
            " document.querySelectorAll('svg.chart').length ==="
            " document.querySelectorAll('[data-indicator]').length"
        )
        first_paint = await page.evaluate("document.body.dataset.firstPaint")
        print(f"{name} ({width}px): first paint of the cards {first_paint} ms")
        await page.screenshot(path=str(ARTIFACTS / f"dashboard-{name}.png"), full_page=True)
        shown = await page.evaluate(CHARTS)
        assert {c["id"] for c in shown} == set(want)
        assert sum(c["drawn"] for c in shown) > 0
        for c in shown:
            assert c["series"] == "year" and 0 < c["bars"] <= 24, c
            assert c["drawn"] == c["sized"], c  # drawn as tall as their counts say
            spans = sorted(c["labels"])
            assert spans and all(a[1] <= b[0] for a, b in itertools.pairwise(spans)), c
            if want[c["id"]]["status"] is not None:
                assert any(word in c["status"] for word in SPANISH), c
        protected = next(c for c in shown if c["id"] == "OE1.1")
        assert protected["value"] == "10" and protected["last"] == "10"
        assert protected["total"] == "acumulado 10"  # the card's number, not "total 1"
        text = await page.inner_text("body")
        assert "Sexo \u00d7 edad" in text and "Regiones" in text and "Atrasado" in text
        assert "Sexo \u00d7 regi\u00f3n" in text
        assert "Participantes que recibieron asistencia en forma de vales" in text
        assert "Beneficiaries" not in text  # indicator titles in Spanish too
        assert "Monthly" not in text and "Regions" not in text and "Sex \u00d7" not in text
        assert await page.get_attribute("html", "lang") == "es"
        window_text = await page.text_content("#window") or ""
        assert window_text.startswith("01/01/2020 \u2013 31/12/2099")
        assert await page.locator("#period option").count() <= 1 + 4 + 12
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        await page.close()

    page = await browser.new_page()
    await page.goto(f"{indicators.url}/dashboard?logframe={DEMO}&lang=en")
    await page.wait_for_selector('[data-indicator="OE1.1"] svg.chart')
    head = page.locator('[data-indicator="OE1.1"] .chart-head')
    assert (await head.text_content() or "").startswith("Yearly")
    text = await page.inner_text("body")
    assert "Sex \u00d7 age" in text and "Behind" in text and "All regions" in text
    assert "Beneficiaries who receive assistance in the form of vouchers" in text


async def test_each_card_says_what_changed_since_the_last_report(
    indicators: Service,
    database: str,
    kafka: KafkaEndpoint,
    topics: dict[str, str],
    browser: Browser,
) -> None:
    # Every event is recorded today: late entries, after any last report.
    await publish(database, kafka, topics, indicators.url, scenario())
    page = await browser.new_page()
    await page.goto(f"{indicators.url}/dashboard?logframe={DEMO}&lang=en")
    await page.wait_for_selector('[data-indicator="OE2.7"] [data-field="value"]')
    changed = '[data-indicator="OE2.7"] [data-field="changed"]'
    assert await page.text_content(changed) == ""
    reported = await page.eval_on_selector("#reported", "s => s.options[1].value")
    await page.select_option("#reported", reported)
    await page.wait_for_function(
        f"document.querySelector('{changed}').dataset.change === '2'", timeout=10_000
    )
    text = await page.text_content(changed) or ""
    assert text.startswith("+2 since the report of "), text


ASKED = """() => performance.getEntriesByType("resource").map((e) => [e.name, e.startTime])"""


async def test_the_page_asks_for_its_cards_beside_its_script_and_reads_them_once(
    indicators: Service,
    database: str,
    kafka: KafkaEndpoint,
    topics: dict[str, str],
    browser: Browser,
) -> None:
    """Benchmark 6 found the cards waiting for three round trips in a row, and every opening
    reading `/attainment` twice (the stream's first revision, already shown, read again)."""
    await publish(database, kafka, topics, indicators.url, scenario())
    async with httpx.AsyncClient(base_url=indicators.url) as api:
        current = (await api.get("/logframes")).json()["current"]
    page = await browser.new_page()
    await page.goto(f"{indicators.url}/dashboard")
    await page.wait_for_function(
        "document.body.dataset.loads === '1' && document.body.dataset.revision"
    )
    # The stream's revision was handled (after the read, or once it ended): a second
    # read would be under way now (the page's `loading`, a global of its script).
    assert await page.evaluate("loading") is False
    cards = f"/attainment?logframe={current}&series=none"
    head = await page.eval_on_selector_all(
        "link[rel=preload]", "links => links.map(l => l.getAttribute('href'))"
    )
    assert head == ["/dashboard/messages/es.json", "/logframes", cards]
    asked = [(n.removeprefix(indicators.url), t) for n, t in await page.evaluate(ASKED)]
    script = next(t for n, t in asked if n == "/dashboard/dashboard.js")
    assert [t <= script + 50 for n, t in asked if n == cards] == [True]  # once, at once
    assert await page.evaluate("document.body.dataset.loads") == "1"
    assert [n for n, _ in await page.evaluate(ASKED)].count(indicators.url + cards) == 1
    updated = await page.text_content("#updated") or ""  # when the figures were read
    assert re.fullmatch(r"Actualizado \d\d/\d\d/\d{4} \d\d:\d\d", updated), updated
