"""Budgets per region and period: issuing beyond the budget is refused.

The budget row is locked (`FOR UPDATE`) inside the issuing transaction, so two caseworkers
issuing at once in one region are serialised and can't overspend together. A region without a
budget for the date is not limited (the program may not budget every region).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from eventkit.decider import RefusalKind, Refused
from eventkit.store import Connection
from program.known import program_currency


async def reserve(conn: Connection, region: str, on: date, amount: Decimal) -> None:
    """Refuse when `amount` more would exceed the region's budget for the period holding `on`."""
    budget = await conn.fetchrow(
        "SELECT amount, period_start, period_end FROM budgets"
        " WHERE region = $1 AND $2 BETWEEN period_start AND period_end FOR UPDATE",
        region,
        on,
    )
    if budget is None:
        return
    # Open vouchers hold their whole amount; cancelled and expired ones only what was redeemed.
    committed = await conn.fetchval(
        "SELECT coalesce(sum(CASE WHEN status IN ('cancelled', 'expired') THEN redeemed"
        " ELSE amount END), 0) FROM vouchers"
        " WHERE region = $1 AND (issued_at AT TIME ZONE 'UTC')::date BETWEEN $2 AND $3",
        region,
        budget["period_start"],
        budget["period_end"],
    )
    if committed + amount > budget["amount"]:
        left, currency = budget["amount"] - committed, program_currency()
        raise Refused(
            "budget_exceeded",
            f"the {region} budget for {budget['period_start']}..{budget['period_end']} has "
            f"{left:.2f} {currency} left; this voucher needs {amount:.2f} {currency}",
            RefusalKind.CONFLICT,
        )
