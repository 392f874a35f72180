"""Who is signed in: sessions kept server-side, named by a random cookie value.

The cookie holds only a random id (`HttpOnly`, `Secure`, `SameSite=Lax`, path `/`): the tokens
never reach the browser, so no script on a page can read them. With `PANA_WEB_DATABASE_URL` the
sessions and the sign-ins under way live in the web app's own PostgreSQL database
(`PostgresSessions`), so every replica sees them and a restart signs no one out; without it
(one process for development and the unit tests) they live in the process's memory
(`MemorySessions`).

In the database a session is stored under the SHA-256 of its id (whoever reads the table
cannot present a row as a cookie) and sealed with AES-256-GCM by `PANA_WEB_SESSION_KEY`, bound
to that digest: the tokens are encrypted at rest, as `access.crypto` does for personal data.
Sessions end after `PANA_WEB_SESSION_IDLE_MINUTES` without a request; sign-out deletes the row.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import asyncpg
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

COOKIE = "pana_session"
LOGIN_COOKIE = "pana_login"
SIGN_IN_SECONDS = 600
"""How long a sign-in may stay at the provider's page before its callback is refused."""


@dataclass
class Tokens:
    """What the provider issued at sign-in (or the last refresh)."""

    access_token: str
    refresh_token: str | None
    id_token: str | None
    expires_at: float


@dataclass
class Session:
    """A signed-in person: their tokens, who they are (from the ID token) and their language."""

    tokens: Tokens
    claims: dict[str, Any]
    language: str
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    positions: list[str] = field(default_factory=list)
    """The cases service's positions this session wrote (sent on as `Pana-After`)."""

    @property
    def name(self) -> str:
        return str(self.claims.get("name") or self.claims.get("preferred_username") or "")

    def to_json(self) -> bytes:
        return json.dumps(asdict(self)).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Session:
        fields = json.loads(data)
        return cls(**{**fields, "tokens": Tokens(**fields["tokens"])})


@dataclass
class PendingSignIn:
    """A sign-in under way: the PKCE verifier and nonce, until the provider sends the code."""

    verifier: str
    nonce: str
    next_path: str


class SessionStore(Protocol):
    """Sessions and pending sign-ins by random id; idle ones are forgotten."""

    idle_seconds: float

    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    async def open(self, session: Session) -> str:
        """Keep `session`; return the cookie value naming it."""
        ...

    async def get(self, sid: str | None) -> Session | None:
        """The session named by `sid`, unless idle too long (a found one is kept longer)."""
        ...

    async def save(self, sid: str | None, session: Session) -> None:
        """Keep what changed in `session` (refreshed tokens, language, positions)."""
        ...

    async def close(self, sid: str | None) -> None:
        """Forget the session (sign-out)."""
        ...

    async def start_sign_in(self, pending: PendingSignIn) -> str:
        """Keep a pending sign-in; return its `state` (also its cookie value)."""
        ...

    async def finish_sign_in(self, state: str) -> PendingSignIn | None:
        """The pending sign-in of `state`, once (a replayed callback finds nothing)."""
        ...


class MemorySessions:
    """One process's sessions: development and unit tests (a restart signs everyone out)."""

    def __init__(self, idle_seconds: float) -> None:
        self.idle_seconds = idle_seconds
        self._sessions: dict[str, tuple[Session, float]] = {}
        self._pending: dict[str, tuple[PendingSignIn, float]] = {}

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def open(self, session: Session) -> str:
        self._forget_idle()
        sid = secrets.token_urlsafe(32)
        self._sessions[sid] = (session, time.monotonic())
        return sid

    async def get(self, sid: str | None) -> Session | None:
        kept = self._sessions.get(sid or "")
        if kept is None:
            return None
        now = time.monotonic()
        if now - kept[1] > self.idle_seconds:
            del self._sessions[sid or ""]
            return None
        self._sessions[sid or ""] = (kept[0], now)
        return kept[0]

    async def save(self, sid: str | None, session: Session) -> None:
        if sid in self._sessions:
            self._sessions[sid] = (session, time.monotonic())

    async def close(self, sid: str | None) -> None:
        self._sessions.pop(sid or "", None)

    async def start_sign_in(self, pending: PendingSignIn) -> str:
        state = secrets.token_urlsafe(24)
        self._pending[state] = (pending, time.monotonic())
        return state

    async def finish_sign_in(self, state: str) -> PendingSignIn | None:
        kept = self._pending.pop(state, None)
        if kept is None or time.monotonic() - kept[1] > SIGN_IN_SECONDS:
            return None
        return kept[0]

    def _forget_idle(self) -> None:
        now = time.monotonic()
        for sid in [s for s, (_, t) in self._sessions.items() if now - t > self.idle_seconds]:
            del self._sessions[sid]
        for state in [s for s, (_, t) in self._pending.items() if now - t > SIGN_IN_SECONDS]:
            del self._pending[state]


SCHEMA = """
CREATE TABLE IF NOT EXISTS web_sessions (
    id_digest bytea PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('session', 'sign_in')),
    sealed bytea NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS web_sessions_expiry ON web_sessions (expires_at);
"""

_NONCE = 12


class PostgresSessions:
    """Sessions in the web app's own database, shared by every replica, sealed at rest."""

    def __init__(self, url: str, key: bytes, idle_seconds: float) -> None:
        if len(key) != 32:
            raise ValueError("the session key must be 32 bytes (base64 of 32 random bytes)")
        self.idle_seconds = float(idle_seconds)
        self._url = url
        self._aead = AESGCM(key)
        self._pool: asyncpg.Pool | None = None

    async def start(self) -> None:
        self._pool = await asyncpg.create_pool(self._url, min_size=1, max_size=5)
        async with self._pool.acquire() as conn:
            await conn.execute("SELECT pg_advisory_lock(hashtext('web_sessions'))")
            try:
                await conn.execute(SCHEMA)
            finally:
                await conn.execute("SELECT pg_advisory_unlock(hashtext('web_sessions'))")

    async def stop(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("the session store is not started")
        return self._pool

    async def open(self, session: Session) -> str:
        sid = secrets.token_urlsafe(32)
        await self.pool.execute("DELETE FROM web_sessions WHERE expires_at < now()")
        await self._put(sid, "session", session.to_json(), self.idle_seconds)
        return sid

    async def get(self, sid: str | None) -> Session | None:
        if not sid:
            return None
        digest = _digest(sid)
        sealed = await self.pool.fetchval(
            "UPDATE web_sessions SET expires_at = now() + make_interval(secs => $2)"
            " WHERE id_digest = $1 AND kind = 'session' AND expires_at > now() RETURNING sealed",
            digest,
            self.idle_seconds,
        )
        if sealed is None:
            return None
        opened = self._open(digest, sealed)
        return None if opened is None else Session.from_json(opened)

    async def save(self, sid: str | None, session: Session) -> None:
        if sid:
            digest = _digest(sid)
            await self.pool.execute(
                "UPDATE web_sessions SET sealed = $2 WHERE id_digest = $1 AND kind = 'session'",
                digest,
                self._seal(digest, session.to_json()),
            )

    async def close(self, sid: str | None) -> None:
        if sid:
            await self.pool.execute("DELETE FROM web_sessions WHERE id_digest = $1", _digest(sid))

    async def start_sign_in(self, pending: PendingSignIn) -> str:
        state = secrets.token_urlsafe(24)
        await self._put(state, "sign_in", json.dumps(asdict(pending)).encode(), SIGN_IN_SECONDS)
        return state

    async def finish_sign_in(self, state: str) -> PendingSignIn | None:
        digest = _digest(state)
        sealed = await self.pool.fetchval(
            "DELETE FROM web_sessions WHERE id_digest = $1 AND kind = 'sign_in'"
            " RETURNING CASE WHEN expires_at > now() THEN sealed END",
            digest,
        )
        opened = None if sealed is None else self._open(digest, sealed)
        return None if opened is None else PendingSignIn(**json.loads(opened))

    async def _put(self, name: str, kind: str, data: bytes, seconds: float) -> None:
        digest = _digest(name)
        await self.pool.execute(
            "INSERT INTO web_sessions (id_digest, kind, sealed, expires_at)"
            " VALUES ($1, $2, $3, now() + make_interval(secs => $4))",
            digest,
            kind,
            self._seal(digest, data),
            seconds,
        )

    def _seal(self, digest: bytes, data: bytes) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + self._aead.encrypt(nonce, data, digest)

    def _open(self, digest: bytes, sealed: bytes) -> bytes | None:
        """The plaintext, or None when it does not open (another key, another row's data)."""
        try:
            return self._aead.decrypt(sealed[:_NONCE], sealed[_NONCE:], digest)
        except InvalidTag:
            return None


def _digest(name: str) -> bytes:
    return hashlib.sha256(name.encode()).digest()
