"""Unanswered referrals past their deadline become overdue by themselves: a service worker.

Each round finds waiting referrals whose `respond_by` has passed (by the injected clock, so
tests control time) and appends `referral.overdue` for each, one transaction per referral. The
decider is idempotent and the stream is versioned, so two replicas never mark one twice.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime

import asyncpg
import structlog

from eventkit.aggregate import execute
from services.referrals import views
from services.referrals.deadlines import mark_overdue
from services.referrals.referral import Referral, evolve

log = structlog.get_logger("referrals.overdue")


async def mark_due(pool: asyncpg.Pool, now: datetime) -> int:
    """Mark every waiting referral past its deadline overdue; return how many."""
    due = await pool.fetch(
        "SELECT referral_id FROM referrals WHERE status = 'requested' AND respond_by <= $1"
        " ORDER BY respond_by LIMIT 500",
        now,
    )
    marked = 0
    for row in due:
        async with pool.acquire() as conn, conn.transaction():
            decided = await execute(
                conn, str(row["referral_id"]), evolve, Referral(), lambda s: mark_overdue(s, now)
            )
            await views.record(conn, decided.events, decided.appended.version)
            marked += len(decided.events)
    return marked


class OverdueWorker:
    """Runs `mark_due` every `interval` seconds (or at once when woken) until stopped."""

    def __init__(
        self, pool: asyncpg.Pool, clock: Callable[[], datetime], interval: float = 60.0
    ) -> None:
        self.pool = pool
        self.clock = clock
        self.interval = interval
        self.rounds = 0
        self._stopping = asyncio.Event()
        self._woken = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()
        self._woken.set()

    def wake(self) -> None:
        """Run a round now (the clock moved, e.g. in a test)."""
        self._woken.set()

    async def run(self) -> None:
        while not self._stopping.is_set():
            try:
                count = await mark_due(self.pool, self.clock())
                if count:
                    log.info("referrals.overdue", count=count)
            except Exception as exc:  # the next round retries; nothing is half-written
                log.warning("referrals.overdue_failed", error=type(exc).__name__)
            self.rounds += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._woken.wait(), self.interval)
            self._woken.clear()
