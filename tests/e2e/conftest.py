"""One chromium for every browser test under `tests/e2e` (the dashboard's and the web app's):
a start takes seconds, a new page none. It starts with the first test that asks for it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, async_playwright

from tests.e2e.indicators.browser import launch


@pytest.fixture(scope="package")
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        running = await launch(playwright)
        try:
            yield running
        finally:
            await running.close()


@pytest.fixture
async def browser(chromium: Browser) -> AsyncIterator[Browser]:
    """The package's chromium; every context (and its pages) a test opened is closed after it,
    so no test sees another's cookies or pages."""
    yield chromium
    for context in chromium.contexts:
        await context.close()
