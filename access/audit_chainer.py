"""The background loop that links committed audit records into the hash chain.

Every service runs one; several processes on one database take turns under the chain's table
lock, so running many is safe. A record waits in `audit_inbox` for about `interval` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib

import asyncpg
import structlog

from access.audit import chain_pending

log = structlog.get_logger("access.audit_chainer")


class AuditChainer:
    """Chains the inbox until stopped; a database outage is logged and retried."""

    def __init__(self, pool: asyncpg.Pool, *, interval: float = 0.1, batch: int = 1000) -> None:
        self.pool, self.interval, self.batch = pool, interval, batch
        self._stopped = asyncio.Event()

    async def run(self) -> None:
        while not self._stopped.is_set():
            try:
                async with self.pool.acquire() as conn:
                    moved = await chain_pending(conn, self.batch)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
                log.warning("audit.chain_failed", error=type(exc).__name__)
                moved = 0
                await self._pause(1.0)
            if moved < self.batch:
                await self._pause(self.interval)

    def stop(self) -> None:
        self._stopped.set()

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopped.wait(), seconds)
