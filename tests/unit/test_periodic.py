"""The one background loop: a round at start, a round when woken, a failed round retried."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from eventkit.periodic import Periodic
from tests.support.waiting import until

NOW = datetime(2023, 5, 1, 12, tzinfo=UTC)


async def test_rounds_run_at_start_and_when_woken_with_the_clocks_time() -> None:
    seen: list[datetime] = []

    async def work(now: datetime) -> int:
        seen.append(now)
        return 1

    loop = Periodic(work, lambda: NOW, 3600, done="test.done", failed="test.failed")
    task = asyncio.create_task(loop.run())
    await until(lambda: loop.rounds == 1)
    loop.wake()
    await until(lambda: loop.rounds == 2)
    loop.stop()
    await asyncio.wait_for(task, 5)
    assert seen == [NOW, NOW]


async def test_a_failed_round_does_not_stop_the_loop() -> None:
    calls = 0

    async def work(_: datetime) -> int:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("database down")
        return 0

    loop = Periodic(work, lambda: NOW, 3600, done="test.done", failed="test.failed")
    task = asyncio.create_task(loop.run())
    await until(lambda: loop.rounds == 1)
    loop.wake()
    await until(lambda: loop.rounds == 2)
    loop.stop()
    await asyncio.wait_for(task, 5)
    assert calls == 2
