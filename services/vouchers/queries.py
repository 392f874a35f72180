"""Every read the vouchers routes make of the read tables (kept by `views.py`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg

from access.principal import Region


async def voucher(pool: asyncpg.Pool, voucher_id: uuid.UUID) -> Any:
    """The voucher's read row (with `region`, `provider_id` and `version`), or None."""
    return await pool.fetchrow("SELECT * FROM vouchers WHERE voucher_id = $1", voucher_id)


async def awaiting_approval(pool: asyncpg.Pool, regions: list[str]) -> list[dict[str, Any]]:
    """The vouchers of `regions` a supervisor has yet to approve, the oldest first (200 at most);
    without their codes (bearer secrets: the list is for deciding, not for redeeming)."""
    rows = await pool.fetch(
        "SELECT v.voucher_id::text, v.participant_id::text, v.case_id::text,"
        " v.provider_id::text, p.name AS provider_name, v.region, v.services,"
        " v.amount::text, v.issued_at, v.valid_until, v.version"
        " FROM vouchers v LEFT JOIN providers p ON p.provider_id = v.provider_id"
        " WHERE v.status = 'awaiting_approval' AND v.region = ANY($1::text[])"
        " ORDER BY v.issued_at LIMIT 200",
        regions,
    )
    return [dict(r) for r in rows]


async def provider_region(pool: asyncpg.Pool, provider_id: uuid.UUID) -> str | None:
    """The region of a provider in the directory, active or not (None when unknown)."""
    region: str | None = await pool.fetchval(
        "SELECT region FROM providers WHERE provider_id = $1", provider_id
    )
    return region


async def providers(pool: asyncpg.Pool, region: Region | None) -> list[dict[str, Any]]:
    """The partner providers, of one region or all, by region and name."""
    rows = await pool.fetch(
        "SELECT provider_id::text, name, region, kind, services, active FROM providers"
        " WHERE $1::text IS NULL OR region = $1 ORDER BY region, name",
        region,
    )
    return [dict(r) for r in rows]


async def due_for_expiry(pool: asyncpg.Pool, moment: datetime) -> list[uuid.UUID]:
    """Open vouchers past their date at `moment`, the oldest first (500 at a time)."""
    due = await pool.fetch(
        "SELECT voucher_id FROM vouchers WHERE status IN ('active', 'awaiting_approval')"
        " AND valid_until < $1 ORDER BY valid_until LIMIT 500",
        moment,
    )
    return [row["voucher_id"] for row in due]
