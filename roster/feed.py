"""The roster feed: a service worker consuming the participants and cases topics into the copy."""

from __future__ import annotations

import asyncio
import contextlib

import asyncpg
import structlog

from contracts.topics import CASES, PARTICIPANTS
from eventkit.consumer import ConsumerRunner
from eventkit.kafka_access import KafkaAccess
from eventkit.service import Worker, WorkerFactory
from eventkit.settings import ServiceSettings
from eventkit.topics import ensure_topics
from roster.projection import OnErased, RosterProjection

log = structlog.get_logger("roster.feed")
TOPICS = (PARTICIPANTS, CASES)


class RosterWorker:
    """The roster consumer, started once its topics exist (a consumer subscribing before its
    topic is created gets no partitions until its next metadata refresh, minutes later)."""

    def __init__(
        self, pool: asyncpg.Pool, kafka: KafkaAccess, name: str, on_erased: OnErased | None
    ) -> None:
        self.kafka = kafka
        self.runner = ConsumerRunner(
            pool, kafka, consumer=name, topics=[t.name for t in TOPICS],
            projection=RosterProjection(on_erased),
        )  # fmt: skip
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        """Finish the batch in flight and return from `run()`."""
        self._stopping.set()
        self.runner.stop()

    async def run(self) -> None:
        """Create the topics (idempotent; Kafka may come up later), then consume until stopped."""
        while not self._stopping.is_set():
            try:
                await ensure_topics(self.kafka, list(TOPICS))
                break
            except Exception as exc:
                log.warning("roster.topics_unavailable", error=type(exc).__name__)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), 1.0)
        if not self._stopping.is_set():
            await self.runner.run()


def roster_worker(name: str, on_erased: OnErased | None = None) -> WorkerFactory:
    """A worker factory feeding the copy as consumer `name`, calling `on_erased` on erasures."""

    def build(pool: asyncpg.Pool, settings: ServiceSettings) -> Worker:
        return RosterWorker(pool, settings.kafka, name, on_erased)

    return build
