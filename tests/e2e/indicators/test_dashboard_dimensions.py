"""The dashboard shows another program's dimensions and share targets with no code for it:
the service runs as a process under the Western Balkans program file and logframe, and a
headless chromium finds the sex x ethnicity and sex x country tables (labels from the answer)
and the share targets, as the public (suppressed) view gives them."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser

from deploy.local.processes import free_port
from program.load import PROGRAMS_DIR
from services.indicators.logframe import DEFAULT_DIRECTORY
from tests.e2e.indicators.test_dashboard import Service, publish
from tests.integration.indicators.publishing import fresh_topics
from tests.support.infrastructure import KafkaEndpoint
from tests.support.services import make_keys
from tests.unit.indicators.builders import numbered
from tests.unit.indicators.builders import service as delivered
from tests.unit.indicators.test_dimensions import registered

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
async def balkans(
    database: str, kafka: KafkaEndpoint, tmp_path: Path
) -> AsyncIterator[tuple[Service, dict[str, str]]]:
    topics = await fresh_topics(kafka.admin)
    port = free_port()
    env = {
        **os.environ,
        "PANA_PROGRAM_FILE": str(PROGRAMS_DIR / "western_balkans.yaml"),
        "PANA_LOGFRAMES_DIR": str(DEFAULT_DIRECTORY / "western_balkans"),
        "PANA_DEFAULT_LOGFRAME": "roma_women_wb_y1",
        "PANA_DATABASE_URL": database,
        **kafka.admin.env(),
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
        yield Service(url, process), topics
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


async def test_the_dashboard_shows_the_program_s_dimensions_and_shares(
    balkans: tuple[Service, dict[str, str]],
    database: str,
    kafka: KafkaEndpoint,
    browser: Browser,
) -> None:
    service, topics = balkans
    people = [(p, "roma", "woman") for p in range(1, 7)] + [(7, "roma", "man")]
    people.append((8, "egyptian", "woman"))
    events = numbered(
        *(registered(p, ethnicity, sex=sex) for p, ethnicity, sex in people),
        *(delivered(p, "srmh_counselling", day="2024-02-10", region="rs_nis") for p in range(1, 9)),
    )
    await publish(database, kafka, topics, service.url, events)

    page = await browser.new_page()
    await page.goto(f"{service.url}/dashboard")
    card = page.locator('[data-indicator="DIRECT"]')
    await card.locator('[data-field="value"]', has_text="8").wait_for()
    ethnicity = card.locator('[data-dimension="ethnicity"]')
    await ethnicity.locator("summary", has_text="Sexo \u00d7 Etnia").click()
    assert await ethnicity.locator(".tag").is_visible()  # a sensitive dimension
    header = await ethnicity.locator("table tr").first.inner_text()
    assert "Romaní" in header and "Egipcia" in header
    women = await ethnicity.locator("table tr", has_text="Mujeres").inner_text()
    assert women.split() == ["Mujeres", "5", "<5", "<5", "<5", "<5", "<5", "5"]
    country = card.locator('[data-dimension="country"]')
    await country.locator("summary", has_text="Sexo \u00d7 País").click()
    assert "Serbia" in await country.locator("table tr").first.inner_text()
    shares = await card.locator(".shares li").all_inner_texts()
    assert shares[0].startswith("Romaní: 62,5 % (meta: al menos 85 %)")
    assert shares[1].startswith("Mujeres: 87,5 % (meta: al menos 60 %)")
    assert await card.locator(".shares li.unmet").count() == 1
    # The region filter lists the program's territories, every level, by their labels.
    options = await page.locator("#region option").all_inner_texts()
    assert options[1:4] == ["Bosnia y Herzegovina", "Serbia", "Montenegro"]
    assert "Niš" in options and "Tumbes" not in options
    await page.select_option("#region", "rs_nis")
    await page.locator("#window", has_text="Niš").wait_for()  # the program's label
    await card.locator('[data-field="value"]', has_text="8").wait_for()
