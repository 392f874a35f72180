"""Wait on a condition, bounded: tests never sleep for an asynchronous effect.

The one bounded wait of the tests and of the reliability run (`reliability/`): a condition may be
a plain function or a coroutine function (one that asks the database or an HTTP API).
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable

Condition = Callable[[], bool | Awaitable[bool]]


async def until(condition: Condition, within: float = 30.0, what: str = "the condition") -> float:
    """Return once `condition()` holds, with the seconds it took; raise `TimeoutError` naming
    `what` after `within` seconds."""
    started = time.monotonic()
    while not await _holds(condition):
        if time.monotonic() - started > within:
            raise TimeoutError(f"not within {within:g} s: {what}")
        await asyncio.sleep(0.02)
    return time.monotonic() - started


async def _holds(condition: Condition) -> bool:
    held = condition()
    if inspect.isawaitable(held):
        held = await held
    return bool(held)
