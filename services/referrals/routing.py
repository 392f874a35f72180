"""What the referrals routes share: the command context and where a referral belongs."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
from fastapi import HTTPException, Request

from access.policy import ResourceScope
from access.principal import Region
from services.referrals.commands import Context


def context(request: Request) -> Context:
    """The clock, deadlines and master key the app was built with."""
    found: Context = request.app.state.referrals
    return found


async def referral_row(pool: asyncpg.Pool, referral_id: uuid.UUID) -> dict[str, Any]:
    """The referral's read-model row (404 when there is none)."""
    row = await pool.fetchrow(
        "SELECT r.*, u.has_system_account, u.name AS unit_name FROM referrals r"
        " JOIN receiving_units u USING (unit_id) WHERE r.referral_id = $1",
        referral_id,
    )
    if row is None:
        raise HTTPException(404, {"rule": "referral_not_found", "message": "no such referral"})
    return dict(row)


def region_of(row: dict[str, Any]) -> ResourceScope:
    """The scope a referring team's action on this referral is checked against."""
    return ResourceScope(region=Region(row["region"]))


def team_view(row: dict[str, Any]) -> dict[str, Any]:
    """A referral as the referring team follows it (no personal data)."""
    keep = (
        "referral_id", "case_id", "participant_id", "destination", "unit_id", "unit_name",
        "region", "urgency", "assistance_type", "reason", "status", "requested_at", "respond_by",
        "overdue_at", "answered_at", "answer_channel", "answerer_role", "rejection_reason",
        "outcome", "closed_at", "cancellation_reason", "version",
    )  # fmt: skip
    return {k: str(row[k]) if isinstance(row[k], uuid.UUID) else row[k] for k in keep if k in row}
