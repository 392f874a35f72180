"""Before a deployment switches program file: refuse one that drops a code history uses.

Reads, from each service's event store, the distinct program codes its events carry (the code
fields of `program.history.code_fields`), and compares them with the new file. A database
without an event store (the indicators') is skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import asyncpg

from program.history import code_fields, refuse_removals
from program.load import load_program


async def codes_in_store(url: str) -> dict[str, set[str]]:
    """The program codes, by vocabulary, that the events of one event store carry."""
    conn = await asyncpg.connect(url)
    try:
        seen: dict[str, set[str]] = {}
        for (event_type, version), fields in code_fields().items():
            for field, vocabulary in fields.items():
                rows = await conn.fetch(
                    "SELECT DISTINCT data -> $3::text AS value FROM events"
                    " WHERE event_type = $1 AND schema_version = $2",
                    event_type, version, field,
                )  # fmt: skip
                for row in rows:
                    value = json.loads(row["value"]) if row["value"] is not None else None
                    values = value if isinstance(value, list) else [value]
                    seen.setdefault(vocabulary, set()).update(
                        v for v in values if isinstance(v, str)
                    )
        return seen
    except asyncpg.UndefinedTableError:
        return {}
    finally:
        await conn.close()


async def check_program(path: Path, databases: Iterable[str]) -> dict[str, set[str]]:
    """Validate the program file at `path` and refuse it (`ProgramError`) when it drops a code
    any of `databases`' events use; return the codes history uses, by vocabulary."""
    program = load_program(path)
    seen: dict[str, set[str]] = {}
    for url in databases:
        for vocabulary, codes in (await codes_in_store(url)).items():
            seen.setdefault(vocabulary, set()).update(codes)
    refuse_removals(seen, program, str(path))
    return seen
