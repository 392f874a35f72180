"""Where participants' wrapped data keys live: PostgreSQL in the cases service, memory in tests.

Both stores keep the same contract (tests/contract/participant_keys.py, run against
each): a key is created once, read until destroyed, and a destroyed key never comes back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from eventkit.store import Connection

PARTICIPANT_KEYS_DDL = """
CREATE TABLE IF NOT EXISTS participant_keys (
    participant_id text PRIMARY KEY,
    wrapped_key    bytea,
    created_at     timestamptz NOT NULL DEFAULT now(),
    destroyed_at   timestamptz,
    CHECK ((wrapped_key IS NULL) = (destroyed_at IS NOT NULL))
);
"""
"""One row per participant; erasure nulls `wrapped_key` and sets `destroyed_at`."""


class Erased(Exception):
    """The participant's personal data was erased on request: it cannot be read any more."""

    def __init__(self, participant_id: str, destroyed_at: datetime) -> None:
        super().__init__(
            f"personal data of participant {participant_id} was erased at {destroyed_at:%Y-%m-%d}"
        )
        self.participant_id = participant_id
        self.destroyed_at = destroyed_at


class NoDataKey(LookupError):
    """No personal data was ever encrypted for this participant."""


class ParticipantKeyStore(Protocol):
    """Wrapped data keys by participant id."""

    async def create(self, participant_id: str, wrapped_key: bytes) -> bytes:
        """Store `wrapped_key` unless one exists; return the stored one; `Erased` if erased."""
        ...

    async def wrapped_key(self, participant_id: str) -> bytes:
        """The stored wrapped key; raise `Erased` or `NoDataKey`."""
        ...

    async def destroy(self, participant_id: str, at: datetime) -> None:
        """Forget the key for good (idempotent; erasing an unknown participant blocks any key)."""
        ...


class InMemoryParticipantKeys:
    """The store as a dict, for unit tests."""

    def __init__(self) -> None:
        self._keys: dict[str, bytes] = {}
        self._destroyed: dict[str, datetime] = {}

    async def create(self, participant_id: str, wrapped_key: bytes) -> bytes:
        """See `ParticipantKeyStore.create`."""
        self._refuse_erased(participant_id)
        return self._keys.setdefault(participant_id, wrapped_key)

    async def wrapped_key(self, participant_id: str) -> bytes:
        """See `ParticipantKeyStore.wrapped_key`."""
        self._refuse_erased(participant_id)
        if participant_id not in self._keys:
            raise NoDataKey(participant_id)
        return self._keys[participant_id]

    async def destroy(self, participant_id: str, at: datetime) -> None:
        """See `ParticipantKeyStore.destroy`."""
        self._keys.pop(participant_id, None)
        self._destroyed.setdefault(participant_id, at)

    def _refuse_erased(self, participant_id: str) -> None:
        if participant_id in self._destroyed:
            raise Erased(participant_id, self._destroyed[participant_id])


class PostgresParticipantKeys:
    """The store in the `participant_keys` table, on the caller's connection (and transaction)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def create(self, participant_id: str, wrapped_key: bytes) -> bytes:
        """See `ParticipantKeyStore.create`."""
        await self._conn.execute(
            "INSERT INTO participant_keys (participant_id, wrapped_key) VALUES ($1, $2)"
            " ON CONFLICT (participant_id) DO NOTHING",
            participant_id,
            wrapped_key,
        )
        # Whoever inserted first (us or a concurrent writer, now committed) owns the key.
        return await self.wrapped_key(participant_id)

    async def wrapped_key(self, participant_id: str) -> bytes:
        """See `ParticipantKeyStore.wrapped_key`."""
        row = await self._conn.fetchrow(
            "SELECT wrapped_key, destroyed_at FROM participant_keys WHERE participant_id = $1",
            participant_id,
        )
        if row is None:
            raise NoDataKey(participant_id)
        if row["destroyed_at"] is not None:
            raise Erased(participant_id, row["destroyed_at"])
        return bytes(row["wrapped_key"])

    async def destroy(self, participant_id: str, at: datetime) -> None:
        """See `ParticipantKeyStore.destroy`. Old row versions linger until VACUUM (README)."""
        await self._conn.execute(
            "INSERT INTO participant_keys (participant_id, wrapped_key, destroyed_at)"
            " VALUES ($1, NULL, $2) ON CONFLICT (participant_id) DO UPDATE"
            " SET wrapped_key = NULL,"
            " destroyed_at = COALESCE(participant_keys.destroyed_at, EXCLUDED.destroyed_at)",
            participant_id,
            at,
        )


async def migrate(conn: Connection) -> None:
    """Create the `participant_keys` table (idempotent)."""
    await conn.execute(PARTICIPANT_KEYS_DDL)
