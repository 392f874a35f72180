"""Who is signed in: sessions kept in the app's memory, named by a random cookie value.

The cookie holds only a random id (`__Host-` style hardening where HTTPS allows; here
`HttpOnly`, `Secure`, `SameSite=Lax`, path `/`): the tokens never reach the browser, so no
script on a page can read them. A restart of the web process signs everyone out (the provider's
own session signs them in again without a password prompt while it lasts). One process serves
the pages; replicas would need a shared store (a table), which is not built.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any

COOKIE = "pana_session"
LOGIN_COOKIE = "pana_login"


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
    last_seen: float = field(default_factory=time.monotonic)

    @property
    def name(self) -> str:
        return str(self.claims.get("name") or self.claims.get("preferred_username") or "")


@dataclass
class PendingSignIn:
    """A sign-in under way: the PKCE verifier and nonce, until the provider sends the code."""

    verifier: str
    nonce: str
    next_path: str
    started: float = field(default_factory=time.monotonic)


class Sessions:
    """Sessions and pending sign-ins by random id; idle ones are forgotten."""

    def __init__(self, idle_seconds: float) -> None:
        self.idle_seconds = idle_seconds
        self._sessions: dict[str, Session] = {}
        self._pending: dict[str, PendingSignIn] = {}

    def open(self, session: Session) -> str:
        """Keep `session`; return the cookie value naming it."""
        self._forget_idle()
        sid = secrets.token_urlsafe(32)
        self._sessions[sid] = session
        return sid

    def get(self, sid: str | None) -> Session | None:
        """The session named by `sid`, unless idle too long."""
        session = self._sessions.get(sid or "")
        if session is None:
            return None
        now = time.monotonic()
        if now - session.last_seen > self.idle_seconds:
            del self._sessions[sid or ""]
            return None
        session.last_seen = now
        return session

    def close(self, sid: str | None) -> Session | None:
        return self._sessions.pop(sid or "", None)

    def start_sign_in(self, pending: PendingSignIn) -> str:
        """Keep a pending sign-in; return its `state` (also its cookie value)."""
        state = secrets.token_urlsafe(24)
        self._pending[state] = pending
        return state

    def finish_sign_in(self, state: str) -> PendingSignIn | None:
        """The pending sign-in of `state`, once (a replayed callback finds nothing)."""
        pending = self._pending.pop(state, None)
        if pending is None or time.monotonic() - pending.started > 600:
            return None
        return pending

    def _forget_idle(self) -> None:
        now = time.monotonic()
        for sid in [s for s, v in self._sessions.items() if now - v.last_seen > self.idle_seconds]:
            del self._sessions[sid]
        for state in [s for s, p in self._pending.items() if now - p.started > 600]:
            del self._pending[state]
