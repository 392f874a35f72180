"""Idempotent commands: a retried request with the same `Idempotency-Key` gets the first answer.

Keys belong to a caller (`caller`, e.g. from `eventkit.http.caller_scope`): the same key sent by
another caller is another key, so no one can fetch someone else's stored answer, or learn that
a key was used, by guessing or reusing it.

The key, a hash of the request and the answer are stored in the same transaction as the events,
so either both exist or neither does. A retry racing the original waits on the key's row lock and
then finds the stored answer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import orjson

from eventkit.store import ConcurrencyConflict, Connection


@dataclass(frozen=True)
class Answer:
    """An HTTP answer to a command: status and JSON body; `replayed` when it was stored.

    `after_commit`, if any, runs once the command's transaction committed (a metric counted
    once), never for a replayed answer: what it counts was counted the first time.
    """

    status_code: int
    body: dict[str, Any]
    replayed: bool = False
    after_commit: Callable[[], None] | None = field(default=None, compare=False, repr=False)


Command = Callable[[Connection], Awaitable[Answer]]
"""A command's work inside its transaction, producing its answer."""


class IdempotencyKeyReused(Exception):
    """The same key came with a different request (HTTP 422)."""

    def __init__(self, key: str) -> None:
        super().__init__(
            f"Idempotency-Key {key!r} was already used for a different request; "
            "use a new key for a new request"
        )
        self.key = key


def request_hash(*parts: Any) -> str:
    """A stable fingerprint of a request (method, path, principal, body...)."""
    return hashlib.sha256(orjson.dumps(parts, option=orjson.OPT_SORT_KEYS)).hexdigest()


async def execute_once(
    pool: asyncpg.Pool,
    key: str | None,
    fingerprint: str,
    command: Command,
    *,
    caller: str = "",
) -> Answer:
    """Run `command` in a transaction, at most once per `key` of `caller`.

    Only successful answers are stored: a refused command changed nothing, so running it again
    on retry is safe and gives the answer that holds now.
    """
    if key is None:
        async with pool.acquire() as conn, conn.transaction():
            return await command(conn)
    stored_as = f"{caller}/{key}" if caller else key
    try:
        async with pool.acquire() as conn, conn.transaction():
            stored = await _stored(conn, stored_as, key, fingerprint)
            if stored is not None:
                return stored
            answer = await command(conn)
            if 200 <= answer.status_code < 300:
                await conn.execute(
                    "INSERT INTO idempotency_keys (key, request_hash, status_code, body)"
                    " VALUES ($1, $2, $3, $4)",
                    stored_as,
                    fingerprint,
                    answer.status_code,
                    answer.body,
                )
            return answer
    except (asyncpg.UniqueViolationError, ConcurrencyConflict):
        # A concurrent request with the same key won; its stored answer is ours. Otherwise
        # the conflict was genuine and is raised below.
        async with pool.acquire() as conn:
            stored = await _stored(conn, stored_as, key, fingerprint)
        if stored is not None:
            return stored
        raise


async def _stored(conn: Connection, stored_as: str, key: str, fingerprint: str) -> Answer | None:
    row = await conn.fetchrow(
        "SELECT request_hash, status_code, body FROM idempotency_keys WHERE key = $1", stored_as
    )
    if row is None:
        return None
    if row["request_hash"] != fingerprint:
        raise IdempotencyKeyReused(key)
    return Answer(row["status_code"], row["body"], replayed=True)
