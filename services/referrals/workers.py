"""The service's background work: marking referrals overdue, and its copy of consent.

The overdue worker finds, each round, waiting referrals whose `respond_by` has passed (by the
injected clock, so tests control time) and marks each overdue (`commands.mark_overdue`, the
rule in `mark_overdue.py`), one transaction per referral. The rule is idempotent and the stream
is versioned, so two replicas never mark one twice.

The consent feed consumes the participants topic into `consent.py`.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from access.crypto import MasterKey
from contracts.topics import CASES, PARTICIPANTS
from eventkit.clock import Now
from eventkit.copy_feed import CopyFeed
from eventkit.periodic import Periodic
from eventkit.service import Worker, WorkerFactory
from eventkit.settings import ServiceSettings
from services.referrals import commands, queries
from services.referrals.consent import ConsentProjection
from services.referrals.ports import PostgresPorts

CONSENT_TOPICS = (PARTICIPANTS, CASES)
"""Consent is on the participants topic; the cases topic is read too (its events ignored) so
that both of the service's copies read the same topics and `Pana-After` can wait for an event
of either owner's topic in both (`eventkit.read_your_writes`)."""


async def mark_due(pool: asyncpg.Pool, master: MasterKey, now: datetime) -> int:
    """Mark every waiting referral past its deadline overdue; return how many."""
    async with pool.acquire() as conn:
        due = await queries.due(conn, now)
    marked = 0
    for referral_id in due:
        async with pool.acquire() as conn, conn.transaction():
            ports = PostgresPorts(conn, master)
            marked += await commands.mark_overdue(conn, ports, referral_id, now)
    return marked


def overdue_worker(
    pool: asyncpg.Pool, master: MasterKey, clock: Now, interval: float = 60.0
) -> Periodic:
    """Runs `mark_due` every `interval` seconds (or at once when woken) until stopped."""
    return Periodic(
        lambda now: mark_due(pool, master, now),
        clock,
        interval,
        done="referrals.overdue",
        failed="referrals.overdue_failed",
    )


def consent_worker(name: str) -> WorkerFactory:
    """A worker factory consuming consent events as consumer `name`."""

    def build(pool: asyncpg.Pool, settings: ServiceSettings) -> Worker:
        return CopyFeed(
            pool, settings.kafka, consumer=name, topics=CONSENT_TOPICS,
            projection=ConsentProjection(),
        )  # fmt: skip

    return build
