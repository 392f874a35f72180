"""What the routes share: where a participant or case belongs (404 when unknown), and the client's
If-Match. The rows come from `queries.py`."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
from fastapi import HTTPException

from access.policy import ResourceScope
from access.principal import Region
from services.cases import queries


def _not_found(what: str) -> HTTPException:
    return HTTPException(404, {"rule": f"{what}_not_found", "message": f"no such {what}"})


async def participant_row(pool: asyncpg.Pool, participant_id: uuid.UUID) -> Any:
    """The participant's read row; 404 when unknown."""
    row = await queries.participant_row(pool, participant_id)
    if row is None:
        raise _not_found("participant")
    return row


async def case_row(pool: asyncpg.Pool, case_id: uuid.UUID) -> Any:
    """The case's read row; 404 when unknown."""
    row = await queries.case_row(pool, case_id)
    if row is None:
        raise _not_found("case")
    return row


async def person_scopes(pool: asyncpg.Pool, participant_id: uuid.UUID) -> list[ResourceScope]:
    """The regions of a participant record and of the records it was merged into (404 when
    unknown): a command naming it acts on the survivor, so the caller must reach them all."""
    scopes, seen = [], set()
    current: uuid.UUID | None = participant_id
    while current is not None and current not in seen:
        seen.add(current)
        row = await participant_row(pool, current)
        scopes.append(scope(row))
        current = row["merged_into"]
    return scopes


def scope(row: Any) -> ResourceScope:
    """The policy scope of a participant or case row: its region."""
    return ResourceScope(region=Region(row["region"]))
