"""Rebuild the indicators read model of one logframe version from Kafka.

The indicators service must be stopped: its consumer keeps its position in memory. The command
drops the version's schema, its stored offsets and processed event ids; when the service starts
again it recreates the schema and replays every topic from the beginning (effectively once, as
always). Figures of other logframe versions are untouched.
"""

from __future__ import annotations

import asyncpg
import httpx

from services.indicators import read_model
from services.indicators.logframe import load_directory


class ServiceRunning(RuntimeError):
    """The indicators service answers: stop it first."""


def refuse_if_running(indicators_url: str) -> None:
    try:
        httpx.get(f"{indicators_url}/healthz", timeout=2)
    except httpx.HTTPError:
        return
    raise ServiceRunning(
        f"the indicators service answers at {indicators_url}: stop it first (its consumer keeps "
        "its position in memory), rebuild, then start it again"
    )


async def rebuild(database_url: str, logframe_key: str, prefix: str = "indicators") -> str:
    """Drop the version's read model and consumer position; return the consumer name."""
    logframes = load_directory()
    if logframe_key not in logframes:
        raise KeyError(f"no logframe {logframe_key!r}; known: {', '.join(sorted(logframes))}")
    logframe = logframes[logframe_key]
    consumer = read_model.consumer_of(logframe, prefix)
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            await read_model.drop(conn, logframe, consumer)
    finally:
        await conn.close()
    return consumer
