"""A background loop that does one round of work every `interval` seconds, in the service process.

Vouchers past their date expire, referrals past their deadline become overdue: each is a round
(`work(now)`, returning how many it changed) that a `Periodic` runs until the service stops. A
failed round is logged and the next one retries (a round commits each change in its own
transaction, so nothing is half-written); `wake()` runs a round at once (the clock moved, e.g.
in a test) and `rounds` counts those finished.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import datetime

import structlog

from eventkit.clock import Now

log = structlog.get_logger("eventkit.periodic")


class Periodic:
    """Runs `work(clock())` every `interval` seconds, or at once when woken, until stopped.

    `done` is the log event of a round that changed something (with its count), `failed` that
    of a round that raised.
    """

    def __init__(
        self,
        work: Callable[[datetime], Awaitable[int]],
        clock: Now,
        interval: float,
        *,
        done: str,
        failed: str,
    ) -> None:
        self.work, self.clock, self.interval = work, clock, interval
        self.done, self.failed = done, failed
        self.rounds = 0
        self._stopping = asyncio.Event()
        self._woken = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()
        self._woken.set()

    def wake(self) -> None:
        """Run a round now."""
        self._woken.set()

    async def run(self) -> None:
        while not self._stopping.is_set():
            try:
                count = await self.work(self.clock())
                if count:
                    log.info(self.done, count=count)
            except Exception as exc:  # the next round retries; nothing is half-written
                log.warning(self.failed, error=type(exc).__name__)
            self.rounds += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._woken.wait(), self.interval)
            self._woken.clear()
