"""What the program owes each provider for a period, and signals worth a second look."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from contracts.scalars import plausible_date
from eventkit.store import Connection
from program.load import current_program


@dataclass(frozen=True)
class Statement:
    provider_id: str
    period_from: datetime
    period_to: datetime
    lines: list[dict[str, Any]]

    @property
    def total(self) -> Decimal:
        return sum((Decimal(line["amount"]) for line in self.lines), Decimal("0.00"))

    def as_json(self) -> dict[str, Any]:
        return {
            "provider_id": self.provider_id,
            "from": self.period_from.isoformat(),
            "to": self.period_to.isoformat(),
            "vouchers": len({line["voucher_id"] for line in self.lines}),
            "redemptions": len(self.lines),
            "total": f"{self.total:.2f}",
            "currency": current_program().currency,
            "total_pen": f"{self.total:.2f}",  # deprecated: `total`
            "lines": self.lines,
        }

    def as_csv(self) -> str:
        out = io.StringIO()
        columns = ["voucher_id", "redemption_id", "receipt_number", "redeemed_at", "amount"]
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.lines)
        writer.writerow({"voucher_id": "TOTAL", "amount": f"{self.total:.2f}"})
        return out.getvalue()


def period(first: str, last: str, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The statement's `[start, end)` from its `from` and `to`.

    A date (`2023-03-31`) is a whole day in the program's time zone: `from` starts at its local
    midnight, `to` includes it to its end (a clinic asking for March up to the 31st is owed the
    31st too). A date-time is that instant (UTC when it names no offset), `to` exclusive.
    Raise `ValueError` naming the parameter when one is neither or `to` is before `from`.
    """
    start = _bound("from", first, zone, end_of_day=False)
    end = _bound("to", last, zone, end_of_day=True)
    if end < start:
        raise ValueError("'to' is before 'from'")
    return start, end


class _Implausible(ValueError):
    """A date no person means (before 1900, ten years ahead)."""


def _bound(name: str, text: str, zone: ZoneInfo, *, end_of_day: bool) -> datetime:
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            try:
                plausible_date(day)
            except ValueError as far:
                raise _Implausible(f"{name!r} {far}") from None
            midnight = datetime.combine(day + timedelta(days=end_of_day), time(), zone)
            return midnight.astimezone(UTC)
        moment = datetime.fromisoformat(text)
    except _Implausible:
        raise
    except ValueError:
        raise ValueError(
            f"{name!r} must be a date (YYYY-MM-DD) or a date-time (ISO 8601), not {text[:40]!r}"
        ) from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    try:  # what no person means (year 1, year 9999) is refused, not overflowed into a 500
        plausible_date(moment.date())
    except ValueError as far:
        raise ValueError(f"{name!r} {far}") from None
    return moment


async def statement(
    conn: Connection, provider_id: str, period_from: datetime, period_to: datetime
) -> Statement:
    """Redemptions in [from, to) not reversed: each is owed to the provider."""
    rows = await conn.fetch(
        "SELECT voucher_id::text, redemption_id::text, receipt_number, redeemed_at, amount"
        " FROM redemptions WHERE provider_id = $1 AND redeemed_at >= $2 AND redeemed_at < $3"
        " AND reversed_at IS NULL ORDER BY redeemed_at, redemption_id",
        provider_id,
        period_from,
        period_to,
    )
    lines = [
        {**dict(r), "redeemed_at": r["redeemed_at"].isoformat(), "amount": f"{r['amount']:.2f}"}
        for r in rows
    ]
    return Statement(provider_id, period_from, period_to, lines)


async def fraud_signals(
    conn: Connection, period_from: datetime, period_to: datetime, standard_cap: Decimal
) -> dict[str, list[dict[str, Any]]]:
    """Patterns to review (never blocking): many providers per person within 7 days, amounts
    always at the voucher's maximum, and providers with an outsized share of redemptions."""
    many = await conn.fetch(
        "SELECT a.participant_id::text, count(DISTINCT b.provider_id) AS providers"
        " FROM redemptions a JOIN redemptions b ON a.participant_id = b.participant_id"
        " AND b.redeemed_at BETWEEN a.redeemed_at AND a.redeemed_at + interval '7 days'"
        " WHERE a.redeemed_at >= $1 AND a.redeemed_at < $2 AND a.reversed_at IS NULL"
        " AND b.reversed_at IS NULL GROUP BY a.participant_id"
        " HAVING count(DISTINCT b.provider_id) >= 3 ORDER BY providers DESC",
        period_from,
        period_to,
    )
    at_cap = await conn.fetch(
        "SELECT r.provider_id::text, count(*) AS redemptions FROM redemptions r"
        " JOIN vouchers v USING (voucher_id) WHERE r.redeemed_at >= $1 AND r.redeemed_at < $2"
        " AND r.reversed_at IS NULL GROUP BY r.provider_id"
        " HAVING count(*) >= 5 AND bool_and(r.amount = v.amount OR r.amount = $3)",
        period_from,
        period_to,
        standard_cap,
    )
    share = await conn.fetch(
        "WITH per AS (SELECT provider_id, region, count(*) AS n FROM redemptions"
        " WHERE redeemed_at >= $1 AND redeemed_at < $2 AND reversed_at IS NULL"
        " GROUP BY provider_id, region), tot AS (SELECT region, sum(n) AS t, count(*) AS k"
        " FROM per GROUP BY region) SELECT per.provider_id::text, per.region,"
        " round(per.n::numeric / tot.t, 3)::text AS share FROM per JOIN tot USING (region)"
        " WHERE tot.k >= 3 AND per.n >= 10 AND per.n::numeric / tot.t > 2.0 / tot.k",
        period_from,
        period_to,
    )
    return {
        "many_providers_in_7_days": [dict(r) for r in many],
        "always_at_maximum": [dict(r) for r in at_cap],
        "unusual_provider_share": [dict(r) for r in share],
    }
