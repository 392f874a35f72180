"""One chromium for the dashboard's browser tests: a start takes seconds, a new page none."""

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
    """The package's chromium; every page (and its context) a test opened is closed after it."""
    yield chromium
    for context in chromium.contexts:
        await context.close()
