"""Reading attainment: the figures of a logframe version, aggregated by the database.

The counted state lives in PostgreSQL (`counted_state`), kept by the projection in the same
transaction as the facts, so a reader holds no history: a published period's figures are its
kept cells (a few hundred rows whatever the history), any other window is aggregated from
the candidates by one query. The revision and the figures are read in one snapshot. Answers
are kept per (revision, filters, view) in a small cache: repeated dashboard polls and ETag
revalidations cost one indexed read. Several replicas serve identical figures.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

import asyncpg

from services.indicators import counted_state, read_model
from services.indicators.attainment import Attainment, Filters, assemble, figures
from services.indicators.ledger import Ledger
from services.indicators.logframe import Logframe
from services.indicators.suppression import View, in_view

_KEPT_RESULTS = 256
_T = TypeVar("_T")


class AttainmentReader:
    """Figures of any logframe version, as of its latest committed revision."""

    def __init__(self) -> None:
        self._results: OrderedDict[tuple[str, str, int, Filters, View], Attainment] = OrderedDict()
        self._read: OrderedDict[tuple[str, Filters], int] = OrderedDict()

    async def revision(self, pool: asyncpg.Pool, logframe: Logframe) -> int:
        """The committed revision of the logframe version's read model."""
        async with pool.acquire() as conn:
            return await read_model.revision(conn, logframe)

    def held(self, logframe: Logframe, filters: Filters | None = None) -> int | None:
        """The revision of the figures last read for the logframe version (under `filters`,
        when given); None before any. Figures are read from the database, never held whole."""
        if filters is None:
            found = [at for (key, _), at in self._read.items() if key == logframe.key]
            return max(found) if found else None
        return self._read.get((logframe.key, filters))

    async def warm(self, pool: asyncpg.Pool, logframe: Logframe) -> None:
        """Read the unfiltered figures once in each view: the database answers, the connection
        is made, and a dashboard's first paint (whoever looks) is an answer already kept."""
        for view in View:
            await self.read(pool, logframe, Filters(), view)

    async def read(
        self, pool: asyncpg.Pool, logframe: Logframe, filters: Filters, view: View
    ) -> tuple[int, Attainment]:
        """The revision read and the figures at it, as `view` shows them."""
        schema = read_model.schema_of(logframe)
        async with pool.acquire() as conn:
            at, generation = await read_model.state(conn, logframe)
            key = (logframe.key, generation, at, filters, view)
            kept = self._results.get(key)
            if kept is None:
                async with conn.transaction(isolation="repeatable_read", readonly=True):
                    at, generation = await read_model.state(conn, logframe)
                    totals = await counted_state.totals(conn, schema, logframe, filters)
                kept = in_view(assemble(logframe, filters, totals), view)
                key = (logframe.key, generation, at, filters, view)
                self._results[key] = kept
                while len(self._results) > _KEPT_RESULTS:
                    self._results.popitem(last=False)
        self._read[(logframe.key, filters)] = at
        self._read.move_to_end((logframe.key, filters))
        while len(self._read) > _KEPT_RESULTS:
            self._read.popitem(last=False)
        return at, kept

    async def as_recorded(
        self,
        pool: asyncpg.Pool,
        logframe: Logframe,
        filters: Filters,
        view: View,
        before: datetime,
    ) -> tuple[int, Attainment]:
        """The revision read and the figures of the facts recorded before `before`, as `view`
        shows them: the ledger path (the whole log read, the pure rules run), not cached."""

        def count(ledger: Ledger) -> Attainment:
            return in_view(figures(logframe, ledger, filters), view)

        return await self.on_ledger(pool, logframe, count, before)

    async def on_ledger(
        self,
        pool: asyncpg.Pool,
        logframe: Logframe,
        work: Callable[[Ledger], _T],
        before: datetime | None = None,
    ) -> tuple[int, _T]:
        """The revision read and `work` run on the version's whole ledger at it, loaded for
        this call and not kept: for reports that need more than the tables (R4V 5W, M&E
        staff only, seldom asked). With `before`, the ledger of the facts recorded before
        then (`read_model.load_recorded`)."""
        async with pool.acquire() as conn:
            if before is None:
                at, ledger = await read_model.load_ledger(conn, logframe)
            else:
                at, ledger = await read_model.load_recorded(conn, logframe, before)
        return at, await asyncio.to_thread(work, ledger)
