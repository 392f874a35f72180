"""Vouchers past their date expire by themselves: a worker in the service process."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from eventkit.aggregate import execute
from eventkit.clock import Now
from eventkit.periodic import Periodic
from services.vouchers import lifecycle, views
from services.vouchers.voucher import Voucher, evolve


async def expire_due(pool: asyncpg.Pool, moment: datetime) -> int:
    """Expire every open voucher past `moment`, its date; return how many expired."""
    due = await pool.fetch(
        "SELECT voucher_id FROM vouchers WHERE status IN ('active', 'awaiting_approval')"
        " AND valid_until < $1 ORDER BY valid_until LIMIT 500",
        moment,
    )
    expired = 0
    for row in due:
        async with pool.acquire() as conn, conn.transaction():
            decided = await execute(
                conn, str(row["voucher_id"]), evolve, Voucher(),
                lambda s: lifecycle.expire(s, moment),
            )  # fmt: skip
            await views.record(conn, decided.events, decided.appended.version)
            expired += len(decided.events)
    return expired


def expiry_worker(pool: asyncpg.Pool, clock: Now, interval: float = 30.0) -> Periodic:
    """Runs `expire_due` every `interval` seconds until stopped."""
    return Periodic(
        lambda now: expire_due(pool, now),
        clock,
        interval,
        done="vouchers.expired",
        failed="vouchers.expiry_failed",
    )
