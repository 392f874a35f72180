"""Rebuild the indicators read model of one logframe version from Kafka.

The indicators service must be stopped: its consumer keeps its position in memory. The command
drops the version's schema, its stored offsets and processed event ids; when the service starts
again it recreates the schema and replays every topic from the beginning (effectively once, as
always). Figures of other logframe versions are untouched.

It refuses, naming the topic and partition, when a source topic's log no longer starts at
offset 0: a replay would give partial figures (`pana-ops republish` restores the topic). It
reads the logframes where the service does (`PANA_LOGFRAMES_DIR`).
"""

from __future__ import annotations

import os
from pathlib import Path

import asyncpg
import httpx

from contracts.topics import CASES, PARTICIPANTS, REFERRALS, VOUCHERS
from deploy.ops.history import refuse_if_truncated
from eventkit.kafka_access import KafkaAccess
from services.indicators import read_model
from services.indicators.logframe import DEFAULT_DIRECTORY, load_directory


class ServiceRunning(RuntimeError):
    """The indicators service answers: stop it first."""


def refuse_if_running(url: str, name: str = "indicators") -> None:
    """Raise `ServiceRunning` when the service at `url` answers."""
    try:
        httpx.get(f"{url}/healthz", timeout=2)
    except httpx.HTTPError:
        return
    raise ServiceRunning(
        f"the {name} service answers at {url}: stop it first (its consumer keeps its position "
        "in memory), then start it again afterwards"
    )


SOURCE_TOPICS = [t.name for t in (PARTICIPANTS, CASES, REFERRALS, VOUCHERS)]


def logframes_dir() -> Path:
    """Where the indicators service reads its logframes (`PANA_LOGFRAMES_DIR`)."""
    return Path(os.environ.get("PANA_LOGFRAMES_DIR") or DEFAULT_DIRECTORY)


async def rebuild(
    database_url: str,
    logframe_key: str,
    prefix: str = "indicators",
    *,
    kafka: KafkaAccess | str | None = None,
    source_topics: list[str] | None = None,
    directory: Path | None = None,
) -> str:
    """Drop the version's read model and consumer position; return the consumer name.

    With `kafka`, refuse (`HistoryIncomplete`) when a source topic lost its start.
    """
    logframes = load_directory(directory or logframes_dir())
    if logframe_key not in logframes:
        raise KeyError(f"no logframe {logframe_key!r}; known: {', '.join(sorted(logframes))}")
    logframe = logframes[logframe_key]
    if kafka is not None:
        await refuse_if_truncated(kafka, source_topics or SOURCE_TOPICS)
    consumer = read_model.consumer_of(logframe, prefix)
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            await read_model.drop(conn, logframe, consumer)
    finally:
        await conn.close()
    return consumer
