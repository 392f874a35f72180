"""The codes an event store's events carry, and the start-up check that the program keeps them.

A service whose program file dropped a code its own history uses is not ready (`/readyz` names
the codes): its figures and screens could no longer label, filter or check those events. The
same reading serves `pana-ops program-check` before a deployment switches files.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Protocol

import asyncpg
import structlog

from program.history import (
    ATTRIBUTES,
    attribute_events,
    code_fields,
    part_code_fields,
    refuse_removals,
)
from program.load import ProgramError, current_program

log = structlog.get_logger("program.stored")


class Fetches(Protocol):
    """An asyncpg connection, pooled or not."""

    async def fetch(self, query: str, *args: object) -> list[Any]: ...


async def codes_stored(conn: Fetches) -> dict[str, set[str]]:
    """The program codes, by vocabulary, that the events of this event store carry (none when
    the database has no event store)."""
    seen: dict[str, set[str]] = {}
    for (event_type, version), fields in code_fields().items():
        for field, vocabulary in fields.items():
            try:
                rows = await conn.fetch(
                    "SELECT DISTINCT (data -> $3::text)::text AS value FROM events"
                    " WHERE event_type = $1 AND schema_version = $2",
                    event_type, version, field,
                )  # fmt: skip
            except asyncpg.UndefinedTableError:
                return {}
            for row in rows:
                value = json.loads(row["value"]) if row["value"] is not None else None
                values = value if isinstance(value, list) else [value]
                codes = [v for v in values if isinstance(v, str)]  # an optional field: null
                if codes:
                    seen.setdefault(vocabulary, set()).update(codes)
    for (event_type, version), parts in part_code_fields().items():
        for (field, inner), vocabulary in parts.items():
            rows = await conn.fetch(
                "SELECT DISTINCT p ->> $4::text AS value FROM events, jsonb_array_elements("
                " CASE WHEN jsonb_typeof(data -> $3::text) = 'array' THEN data -> $3::text"
                " ELSE jsonb_build_array(data -> $3::text) END) AS p"
                " WHERE event_type = $1 AND schema_version = $2 AND jsonb_typeof(p) = 'object'",
                event_type, version, field, inner,
            )  # fmt: skip
            found = {row["value"] for row in rows if row["value"] is not None}
            if found:
                seen.setdefault(vocabulary, set()).update(found)
    for event_type, version in attribute_events():
        rows = await conn.fetch(
            "SELECT DISTINCT a.key, a.value FROM events,"
            " jsonb_each_text(CASE WHEN jsonb_typeof(data -> $3::text) = 'object'"
            " THEN data -> $3::text END) AS a"
            " WHERE event_type = $1 AND schema_version = $2",
            event_type, version, ATTRIBUTES,
        )  # fmt: skip
        for row in rows:
            seen.setdefault(row["key"], set()).add(row["value"])
    return seen


class HistoryKept:
    """A one-shot worker: reads the service's stored codes once its tables exist, and keeps the
    service unready (`check` raises) when the running program lacks any of them."""

    name = "program"

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.problem: str | None = "not checked yet"
        self.stopped = False

    async def run(self) -> None:
        while not self.stopped:
            try:
                async with self.pool.acquire() as conn:
                    seen = await codes_stored(conn)
                break
            except (OSError, asyncpg.PostgresError) as error:  # the database blinked: again
                log.warning("program_history_unread", error=str(error))
                await asyncio.sleep(1.0)
        else:
            return
        try:
            refuse_removals(seen, current_program(), "the program file (PANA_PROGRAM_FILE)")
            self.problem = None
        except ProgramError as refused:
            self.problem = str(refused)
            log.error("program_drops_recorded_codes", problem=self.problem)

    def stop(self) -> None:
        """Stop retrying (nothing runs once the check is done)."""
        self.stopped = True

    async def check(self) -> None:
        """Raise while unchecked, or when the program drops codes history uses."""
        if self.problem is not None:
            raise RuntimeError(self.problem)


def history_kept(pool: asyncpg.Pool, _settings: Any) -> HistoryKept:
    """The worker factory a service passes to `create_service_app(workers=...)`."""
    return HistoryKept(pool)
