"""Closed-loop load: N clients each repeat an operation; count completions in a timed window.

The window opens after a warm-up (connections made, statements prepared, caches filled), so the
rate is the steady state. Two drivers: asyncio tasks (our async code) and threads (the
synchronous baseline library, used the way its documentation shows).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field


@dataclass
class Window:
    """Completions and latencies recorded while the window is open."""

    open: bool = False
    done: int = 0
    latencies: list[float] = field(default_factory=list)

    def record(self, started: float) -> None:
        if self.open:
            self.done += 1
            self.latencies.append(time.perf_counter() - started)


async def run_async(
    clients: int,
    operation: Callable[[int, int], Awaitable[None]],
    seconds: float,
    warmup: float,
    meter: Callable[[], Sequence[float]] = tuple,
) -> tuple[float, list[float], tuple[float, ...]]:
    """Run `operation(client, n)` in `clients` tasks.

    Returns completions per second, their latencies (s) and how much each of `meter`'s readings
    (e.g. processes' CPU seconds) grew per completion while the window was open.
    """
    window = Window()
    stopping = asyncio.Event()

    async def client(index: int) -> None:
        n = 0
        while not stopping.is_set():
            started = time.perf_counter()
            await operation(index, n)
            window.record(started)
            n += 1

    tasks = [asyncio.create_task(client(i)) for i in range(clients)]
    await asyncio.sleep(warmup)
    window.open = True
    opened, metered = time.perf_counter(), meter()
    await asyncio.sleep(seconds)
    window.open = False
    elapsed, closed = time.perf_counter() - opened, meter()
    stopping.set()
    await asyncio.gather(*tasks)
    done = max(1, window.done)
    grown = tuple((b - a) / done for a, b in zip(metered, closed, strict=True))
    return window.done / elapsed, window.latencies, grown


def run_threads(
    clients: int,
    operation: Callable[[int, int], None],
    seconds: float,
    warmup: float,
) -> float:
    """Run `operation(client, n)` in `clients` threads; return completions per second."""
    window = Window()
    stopping = threading.Event()
    lock = threading.Lock()

    def client(index: int) -> None:
        n = 0
        while not stopping.is_set():
            started = time.perf_counter()
            operation(index, n)
            with lock:
                window.record(started)
            n += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(warmup)
    window.open = True
    opened = time.perf_counter()
    time.sleep(seconds)
    window.open = False
    elapsed = time.perf_counter() - opened
    stopping.set()
    for thread in threads:
        thread.join()
    return window.done / elapsed
