"""The consent feed: a service worker consuming the participants topic into `consent.py`."""

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
from services.referrals.consent import ConsentProjection

log = structlog.get_logger("referrals.consent")


TOPICS = (PARTICIPANTS, CASES)
"""Consent is on the participants topic; the cases topic is read too (its events ignored) so
that both of the service's copies read the same topics and `Pana-After` can wait for an event
of either owner's topic in both (`eventkit.read_your_writes`)."""


class ConsentWorker:
    """The consent consumer, started once its topics exist.

    A consumer that subscribes before the topic is created is assigned no partitions until its
    next metadata refresh (minutes); creating the topic first (idempotent) avoids that gap.
    """

    def __init__(self, pool: asyncpg.Pool, kafka: KafkaAccess, name: str) -> None:
        self.kafka = kafka
        self.runner = ConsumerRunner(
            pool, kafka, consumer=name, topics=[t.name for t in TOPICS],
            projection=ConsentProjection(),
        )  # fmt: skip
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()
        self.runner.stop()

    async def run(self) -> None:
        while not self._stopping.is_set():
            try:
                await ensure_topics(self.kafka, list(TOPICS))
                break
            except Exception as exc:  # Kafka may come up later
                log.warning("referrals.consent_topic_unavailable", error=type(exc).__name__)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), 1.0)
        if not self._stopping.is_set():
            await self.runner.run()


def consent_worker(name: str) -> WorkerFactory:
    """A worker factory consuming consent events as consumer `name`."""

    def build(pool: asyncpg.Pool, settings: ServiceSettings) -> Worker:
        return ConsentWorker(pool, settings.kafka, name)

    return build
