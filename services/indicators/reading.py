"""Reading attainment: load a logframe version's ledger once per revision, compute, cache.

The ledger is reloaded only when the read model's revision moved (one cheap query per request
tells), and computed figures are kept per (revision, filters, view): repeated dashboard polls
and ETag revalidations cost one indexed read. Counting runs in a worker thread so that a big
ledger does not stall the event loop serving other requests.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict

import asyncpg

from services.indicators import read_model
from services.indicators.attainment import Attainment, Filters, figures
from services.indicators.ledger import Ledger
from services.indicators.logframe import Logframe
from services.indicators.suppression import View, in_view

_KEPT_RESULTS = 256


class AttainmentReader:
    """Figures of any loaded logframe version, as of its latest committed revision."""

    def __init__(self) -> None:
        self._ledgers: dict[str, tuple[int, Ledger]] = {}
        self._results: OrderedDict[tuple[str, int, Filters, View], Attainment] = OrderedDict()
        self._lock = asyncio.Lock()

    async def revision(self, pool: asyncpg.Pool, logframe: Logframe) -> int:
        """The committed revision of the logframe version's read model."""
        async with pool.acquire() as conn:
            return await read_model.revision(conn, logframe)

    async def read(
        self, pool: asyncpg.Pool, logframe: Logframe, filters: Filters, view: View
    ) -> tuple[int, Attainment]:
        """The revision read and the figures at it, as `view` shows them."""
        async with self._lock:  # one reload per revision, however many readers arrive at once
            at, ledger = await self._ledger(pool, logframe)
            key = (logframe.key, at, filters, view)
            if key not in self._results:
                exact = await asyncio.to_thread(figures, logframe, ledger, filters)
                self._results[key] = in_view(exact, view)
                while len(self._results) > _KEPT_RESULTS:
                    self._results.popitem(last=False)
            return at, self._results[key]

    async def _ledger(self, pool: asyncpg.Pool, logframe: Logframe) -> tuple[int, Ledger]:
        cached = self._ledgers.get(logframe.key)
        current = await self.revision(pool, logframe)
        if cached is None or cached[0] != current:
            async with pool.acquire() as conn:
                cached = await read_model.load_ledger(conn, logframe)
            self._ledgers[logframe.key] = cached
        return cached
