"""Before a deployment switches program file: refuse one that drops a code history uses.

Reads, from each service's event store, the distinct program codes its events carry
(`program.stored.codes_stored`), and compares them with the new file. A database without an
event store (the indicators') is skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import asyncpg

from program.history import refuse_removals
from program.load import load_program
from program.stored import codes_stored


async def codes_in_store(url: str) -> dict[str, set[str]]:
    """The program codes, by vocabulary, that the events of one event store carry."""
    conn = await asyncpg.connect(url)
    try:
        return await codes_stored(conn)
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
