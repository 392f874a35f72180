"""The consent feed: a service worker consuming the participants topic into `consent.py`."""

from __future__ import annotations

import asyncpg

from contracts.topics import CASES, PARTICIPANTS
from eventkit.copy_feed import CopyFeed
from eventkit.service import Worker, WorkerFactory
from eventkit.settings import ServiceSettings
from services.referrals.consent import ConsentProjection

TOPICS = (PARTICIPANTS, CASES)
"""Consent is on the participants topic; the cases topic is read too (its events ignored) so
that both of the service's copies read the same topics and `Pana-After` can wait for an event
of either owner's topic in both (`eventkit.read_your_writes`)."""


def consent_worker(name: str) -> WorkerFactory:
    """A worker factory consuming consent events as consumer `name`."""

    def build(pool: asyncpg.Pool, settings: ServiceSettings) -> Worker:
        return CopyFeed(
            pool, settings.kafka, consumer=name, topics=TOPICS, projection=ConsentProjection()
        )

    return build
