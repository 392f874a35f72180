"""Unanswered referrals past their deadline become overdue by themselves: a service worker.

Each round finds waiting referrals whose `respond_by` has passed (by the injected clock, so
tests control time) and appends `referral.overdue` for each, one transaction per referral. The
decider is idempotent and the stream is versioned, so two replicas never mark one twice.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from eventkit.aggregate import execute
from eventkit.clock import Now
from eventkit.periodic import Periodic
from services.referrals import views
from services.referrals.deadlines import mark_overdue
from services.referrals.referral import Referral, evolve


async def mark_due(pool: asyncpg.Pool, now: datetime) -> int:
    """Mark every waiting referral past its deadline overdue; return how many."""
    due = await pool.fetch(
        "SELECT referral_id FROM referrals WHERE status = 'requested' AND respond_by <= $1"
        " ORDER BY respond_by LIMIT 500",
        now,
    )
    marked = 0
    for row in due:
        async with pool.acquire() as conn, conn.transaction():
            decided = await execute(
                conn, str(row["referral_id"]), evolve, Referral(), lambda s: mark_overdue(s, now)
            )
            await views.record(conn, decided.events, decided.appended.version)
            marked += len(decided.events)
    return marked


def overdue_worker(pool: asyncpg.Pool, clock: Now, interval: float = 60.0) -> Periodic:
    """Runs `mark_due` every `interval` seconds (or at once when woken) until stopped."""
    return Periodic(
        lambda now: mark_due(pool, now),
        clock,
        interval,
        done="referrals.overdue",
        failed="referrals.overdue_failed",
    )
