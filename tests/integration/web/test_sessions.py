"""Web sessions in PostgreSQL: a restarted (or another) web process still knows who is signed
in, the tokens are sealed at rest, an expired session is refused and sign-out deletes it."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg
import jwt
from fastapi.testclient import TestClient

from web.app import create_app
from web.sessions import COOKIE, PendingSignIn, Session, SessionStore, Tokens
from web.settings import WebSettings

KEY = base64.b64encode(os.urandom(32)).decode()
TOKEN = jwt.encode({"sub": "donante", "org": "org-1", "role": "viewer"}, "x" * 32, "HS256")
"""Never verified by the web app (the services do that): the start page only reads its role."""


@contextmanager
def web_process(database: str, key: str = KEY) -> Iterator[TestClient]:
    """One web process (its lifespan opens and closes the store), as a browser reaches it."""
    settings = WebSettings(
        oidc_issuer="http://127.0.0.1:1/realms/pana", database_url=database, session_key=key
    )
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        yield client


def _store(client: TestClient) -> SessionStore:
    store: SessionStore = client.app.state.sessions  # type: ignore[attr-defined]
    return store


def _open(client: TestClient) -> str:
    assert client.portal is not None
    session = Session(Tokens(TOKEN, "refresh-secret", None, 9e12), {"name": "Donante"}, "es")
    return client.portal.call(_store(client).open, session)


async def test_a_session_survives_a_restart_of_the_web_process(database: str) -> None:
    with web_process(database) as first:
        sid = _open(first)
        assert first.portal is not None
        state = first.portal.call(_store(first).start_sign_in, PendingSignIn("v", "n", "/x"))
    with web_process(database) as second:  # a restart, or another replica
        second.cookies.set(COOKIE, sid)
        answer = second.get("/", follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/tablero"
        second.get("/idioma/en", follow_redirects=False)
        assert second.portal is not None
        pending = second.portal.call(_store(second).finish_sign_in, state)
        assert pending == PendingSignIn("v", "n", "/x")  # the callback may reach any replica
        assert second.portal.call(_store(second).finish_sign_in, state) is None  # once only
    with web_process(database) as third:
        assert third.portal is not None
        kept = third.portal.call(_store(third).get, sid)
        assert kept is not None and kept.language == "en" and kept.tokens.access_token == TOKEN


async def test_tokens_are_sealed_at_rest_and_the_cookie_value_is_not_stored(
    database: str,
) -> None:
    with web_process(database) as web:
        sid = _open(web)
    conn = await asyncpg.connect(database)
    try:
        rows = await conn.fetch("SELECT id_digest, sealed FROM web_sessions")
    finally:
        await conn.close()
    (row,) = rows
    assert sid.encode() not in row["id_digest"]
    for secret in (TOKEN.encode(), b"refresh-secret", b"Donante"):
        assert secret not in row["sealed"]
    other_key = base64.b64encode(os.urandom(32)).decode()
    with web_process(database, other_key) as web:  # the rows open with their key only
        web.cookies.set(COOKIE, sid)
        assert web.get("/", follow_redirects=False).status_code == 200  # the welcome page


async def test_an_expired_session_is_refused(database: str) -> None:
    with web_process(database) as web:
        sid = _open(web)
        web.cookies.set(COOKIE, sid)
        assert web.get("/", follow_redirects=False).status_code == 303
        conn = await asyncpg.connect(database)
        try:
            await conn.execute("UPDATE web_sessions SET expires_at = now() - interval '1 second'")
        finally:
            await conn.close()
        answer = web.get("/", follow_redirects=False)
        assert answer.status_code == 200  # the welcome page: signed out
        assert web.get("/casos", follow_redirects=False).headers["location"].startswith("/login")


async def test_sign_out_deletes_the_session(database: str) -> None:
    with web_process(database) as web:
        sid = _open(web)
        assert web.portal is not None
        web.portal.call(_store(web).close, sid)
        assert web.portal.call(_store(web).get, sid) is None
        web.cookies.set(COOKIE, sid)
        assert web.get("/", follow_redirects=False).status_code == 200
    conn = await asyncpg.connect(database)
    try:
        assert await conn.fetchval("SELECT count(*) FROM web_sessions") == 0
    finally:
        await conn.close()
