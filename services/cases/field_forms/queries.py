"""Every read of the field submissions table the routes and the queue need."""

from __future__ import annotations

from typing import Any

from eventkit.store import Connection
from services.cases.field_forms.intake_commands import outcome


async def waiting(conn: Connection, regions: list[str], limit: int = 200) -> list[dict[str, Any]]:
    """The submissions in review in these regions, oldest first (no answers: reasons only)."""
    rows = await conn.fetch(
        "SELECT * FROM field_submissions WHERE status = 'review' AND region = ANY($1::text[])"
        " ORDER BY received_at LIMIT $2",
        regions,
        limit,
    )
    return [described(r) for r in rows]


def described(row: Any) -> dict[str, Any]:
    """A submission as the queue shows it: its outcome, who sent it, when; never its answers."""
    return {
        **outcome(row),
        "form_id": row["form_id"], "source": row["source"], "enumerator": row["enumerator"],
        "region": row["region"], "received_at": row["received_at"].isoformat(),
        "filled_at": row["filled_at"].isoformat() if row["filled_at"] else None,
    }  # fmt: skip


async def region_of(conn: Connection, instance_id: str) -> str | None:
    """Whose supervisors review the submission (None: unknown submission)."""
    region: str | None = await conn.fetchval(
        "SELECT region FROM field_submissions WHERE instance_id = $1", instance_id
    )
    return region
