"""Vouchers past their date expire by themselves: a worker in the service process."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime

import asyncpg
import structlog

from eventkit.aggregate import execute
from services.vouchers import lifecycle, views
from services.vouchers.voucher import Voucher, evolve

log = structlog.get_logger("vouchers.expiry")


async def expire_due(pool: asyncpg.Pool, now: datetime | None = None) -> int:
    """Expire every open voucher past its date; return how many expired."""
    moment = now or datetime.now(UTC)
    due = await pool.fetch(
        "SELECT voucher_id FROM vouchers WHERE status IN ('active', 'awaiting_approval')"
        " AND valid_until < $1 ORDER BY valid_until LIMIT 500",
        moment,
    )
    expired = 0
    for row in due:
        async with pool.acquire() as conn, conn.transaction():
            decided = await execute(
                conn, str(row["voucher_id"]), evolve, Voucher(),
                lambda s: lifecycle.expire(s, moment),
            )  # fmt: skip
            await views.record(conn, decided.events, decided.appended.version)
            expired += len(decided.events)
    return expired


class ExpiryWorker:
    """Runs `expire_due` every `interval` seconds until stopped."""

    def __init__(self, pool: asyncpg.Pool, interval: float = 30.0) -> None:
        self.pool = pool
        self.interval = interval
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        while not self._stopping.is_set():
            try:
                count = await expire_due(self.pool)
                if count:
                    log.info("vouchers.expired", count=count)
            except Exception as exc:  # the next round retries; nothing is half-written
                log.warning("vouchers.expiry_failed", error=type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.interval)
