"""Reads: a person's or a case's row, where a merged record leads, personal data (audited),
timelines, consents, case lists, notes."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import asyncpg

from access.participant_keys import Erased
from access.settings import PersonalDataKeys
from contracts.consent import ConsentGiven, ConsentWithdrawn
from eventkit.aggregate import load_stream
from eventkit.store import Connection
from services.cases import personal_data

CASE_SORTS = {
    "opened_at": "opened_at ASC, case_id",
    "-opened_at": "opened_at DESC, case_id",
    "updated_at": "updated_at ASC, case_id",
    "-updated_at": "updated_at DESC, case_id",
}


Reader = Connection | asyncpg.Pool
"""A connection in a transaction, or the pool for a read on its own."""


async def participant_row(db: Reader, participant_id: uuid.UUID) -> Any:
    """The participant's read row; None when unknown."""
    return await db.fetchrow("SELECT * FROM participants WHERE participant_id = $1", participant_id)


async def case_row(db: Reader, case_id: uuid.UUID) -> Any:
    """The case's read row; None when unknown."""
    return await db.fetchrow("SELECT * FROM cases WHERE case_id = $1", case_id)


async def case_participant(db: Reader, case_id: uuid.UUID) -> uuid.UUID | None:
    """Whose case it is; None when unknown."""
    found: uuid.UUID | None = await db.fetchval(
        "SELECT participant_id FROM cases WHERE case_id = $1", case_id
    )
    return found


async def surviving(db: Reader, participant_id: uuid.UUID) -> uuid.UUID:
    """The id commands should act on: a merged record redirects to the record it merged into."""
    seen = {participant_id}
    while True:
        into = await db.fetchval(
            "SELECT merged_into FROM participants WHERE participant_id = $1", participant_id
        )
        if into is None or into in seen:
            return participant_id
        seen.add(into)
        participant_id = into


def plain(row: Any) -> dict[str, Any]:
    """A row as JSON-ready values (ids and dates as strings)."""
    return {k: _json(v) for k, v in dict(row).items()}


def _json(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    return value.isoformat() if isinstance(value, date | datetime) else value


async def personal(conn: Connection, keys: PersonalDataKeys, row: Any) -> dict[str, str] | None:
    """The participant's decrypted personal fields; None once erased."""
    sealed = dict(row["personal"] or {})
    if row["erased_at"] is not None or not sealed:
        return None
    try:
        return await personal_data.cipher(conn, keys).decrypt(str(row["participant_id"]), sealed)
    except Erased:
        return None


async def timeline(conn: Connection, participant_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every event about the person, including records merged into theirs, in order."""
    merged = await conn.fetch(
        "SELECT participant_id::text FROM participants WHERE merged_into = $1", participant_id
    )
    ids = [str(participant_id), *(r["participant_id"] for r in merged)]
    rows = await conn.fetch(
        "SELECT position, event_id::text, stream_id, event_type, occurred_at, data FROM events"
        " WHERE data->>'participant_id' = ANY($1::text[]) OR stream_id = ANY($1::text[])"
        " ORDER BY position",
        ids,
    )
    return [
        {
            "position": r["event_id"],
            "type": r["event_type"],
            "stream_id": r["stream_id"],
            "occurred_at": r["occurred_at"].isoformat(),
            "data": r["data"],
        }
        for r in rows
    ]


async def consents(conn: Connection, participant_id: uuid.UUID) -> list[dict[str, Any]]:
    """Each consent: purposes, who gave it, when, by whom; withdrawals; what still stands."""
    history, _ = await load_stream(conn, str(participant_id))
    found: dict[uuid.UUID, dict[str, Any]] = {}
    for event in history:
        if isinstance(event, ConsentGiven):
            found[event.consent_id] = {
                "consent_id": str(event.consent_id),
                "purposes": list(event.purposes),
                "standing": list(event.purposes),
                "destinations": list(event.destinations),
                "given_by": event.given_by,
                "recorded_by": str(event.recorded_by),
                "given_at": event.given_at.isoformat(),
                "withdrawals": [],
            }
        elif isinstance(event, ConsentWithdrawn) and event.consent_id in found:
            entry = found[event.consent_id]
            entry["standing"] = [p for p in entry["standing"] if p not in event.purposes]
            entry["withdrawals"].append(
                {
                    "purposes": list(event.purposes),
                    "reason": event.reason,
                    "recorded_by": str(event.recorded_by),
                    "withdrawn_at": event.withdrawn_at.isoformat(),
                }
            )
    return list(found.values())


async def cases(
    conn: Connection,
    regions: list[str],
    filters: dict[str, Any],
    sort: str,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    """One page of cases in `regions`, filtered, in a whitelisted order, with the total."""
    where = (
        "region = ANY($1::text[]) AND ($2::text IS NULL OR status = $2)"
        " AND ($3::text IS NULL OR case_type = $3) AND ($4::uuid IS NULL OR caseworker_id = $4)"
    )
    args = (regions, filters.get("status"), filters.get("case_type"), filters.get("caseworker_id"))
    total = await conn.fetchval(f"SELECT count(*) FROM cases WHERE {where}", *args)  # noqa: S608
    rows = await conn.fetch(
        f"SELECT * FROM cases WHERE {where} ORDER BY {CASE_SORTS[sort]}"  # noqa: S608
        " LIMIT $5 OFFSET $6",
        *args,
        limit,
        offset,
    )
    return {"total": total, "limit": limit, "offset": offset, "items": [plain(r) for r in rows]}


async def notes(
    conn: Connection, keys: PersonalDataKeys, case_id: uuid.UUID, participant_id: uuid.UUID
) -> list[dict[str, Any]]:
    """The case's follow-up notes, opened; a note of an erased person reads as None."""
    rows = await conn.fetch(
        "SELECT * FROM case_notes WHERE case_id = $1 ORDER BY written_at", case_id
    )
    found = []
    for note in rows:
        name = f"note/{note['note_id']}"
        try:
            opened = await personal_data.cipher(conn, keys).decrypt(
                str(participant_id), {name: note["body"]}
            )
            text: str | None = opened[name]
        except Erased:
            text = None
        found.append({"note_id": str(note["note_id"]), "written_by": str(note["written_by"]),
                      "written_at": note["written_at"].isoformat(), "text": text})  # fmt: skip
    return found
