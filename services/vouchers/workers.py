"""The vouchers service's background work: vouchers past their date expire by themselves.

The rule is `expire.decide`; this loop only finds the vouchers due and runs the command on each.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from eventkit.clock import Now
from eventkit.periodic import Periodic
from services.vouchers import commands, queries
from services.vouchers.ports import postgres


async def expire_due(pool: asyncpg.Pool, moment: datetime) -> int:
    """Expire every open voucher past `moment`, its date; return how many expired."""
    expired = 0
    for voucher_id in await queries.due_for_expiry(pool, moment):
        async with pool.acquire() as conn, conn.transaction():
            expired += await commands.expire(postgres(conn), voucher_id, moment)
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
