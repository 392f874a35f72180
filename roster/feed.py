"""The roster feed: a service worker consuming the participants and cases topics into the copy
(an `eventkit.copy_feed.CopyFeed`)."""

from __future__ import annotations

import asyncpg

from contracts.topics import CASES, PARTICIPANTS
from eventkit.copy_feed import CopyFeed
from eventkit.service import Worker, WorkerFactory
from eventkit.settings import ServiceSettings
from roster.projection import OnErased, RosterProjection

TOPICS = (PARTICIPANTS, CASES)


def roster_worker(name: str, on_erased: OnErased | None = None) -> WorkerFactory:
    """A worker factory feeding the copy as consumer `name`, calling `on_erased` on erasures."""

    def build(pool: asyncpg.Pool, settings: ServiceSettings) -> Worker:
        return CopyFeed(
            pool, settings.kafka, consumer=name, topics=TOPICS,
            projection=RosterProjection(on_erased),
        )  # fmt: skip

    return build
