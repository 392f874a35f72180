"""Wait on a condition, bounded: tests never sleep for an asynchronous effect."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


async def until(condition: Callable[[], bool], within: float = 30.0) -> None:
    """Return once `condition()` holds; raise `TimeoutError` after `within` seconds."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the condition never held")
        await asyncio.sleep(0.02)
