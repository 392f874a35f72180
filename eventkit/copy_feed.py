"""A service's copy of another service's events: a consumer started once its topics exist.

A consumer that subscribes before its topic is created gets no partitions until its next
metadata refresh (minutes later). So the feed first makes sure the topics exist (idempotent;
Kafka may come up later, so it retries each second), then runs its `ConsumerRunner` until
stopped. Referrals' consent copy and the roster (referrals, vouchers) are both such feeds.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence

import asyncpg
import structlog

from contracts.topics import Topic
from eventkit.consumer import ConsumerRunner, Projection
from eventkit.kafka_access import KafkaAccess
from eventkit.topics import ensure_topics

log = structlog.get_logger("eventkit.copy_feed")


class CopyFeed:
    """`projection` fed from `topics` as consumer `consumer`, once the topics exist."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        kafka: KafkaAccess,
        *,
        consumer: str,
        topics: Sequence[Topic],
        projection: Projection,
    ) -> None:
        self.kafka, self.topics = kafka, list(topics)
        self.runner = ConsumerRunner(
            pool, kafka, consumer=consumer, topics=[t.name for t in self.topics],
            projection=projection,
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
                await ensure_topics(self.kafka, self.topics)
                break
            except Exception as exc:
                log.warning(
                    "copy_feed.topics_unavailable",
                    consumer=self.runner.consumer,
                    error=type(exc).__name__,
                )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), 1.0)
        if not self._stopping.is_set():
            await self.runner.run()
