"""The web app under a test client with stand-in services and a signed-in session, for page tests
that need no identity provider nor service."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from anyio.from_thread import BlockingPortal
from fastapi.testclient import TestClient

from web.app import create_app
from web.sessions import COOKIE, Session, Tokens
from web.settings import WebSettings


@contextmanager
def web_app(services: Any) -> Iterator[TestClient]:
    """The app, its calls to the services answered by `services` (an object with `call`)."""
    settings = WebSettings(oidc_issuer="http://127.0.0.1:1/realms/pana")
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        client.app.state.services = services  # type: ignore[attr-defined]
        yield client


def sign_in(client: TestClient, language: str = "es") -> str:
    """A session's CSRF token (its cookie set on the client)."""
    sessions = client.app.state.sessions  # type: ignore[attr-defined]
    portal: BlockingPortal | None = client.portal
    assert portal is not None
    session = Session(Tokens("header.eyJzdWIiOiJ4In0.signature", None, None, 9e12), {}, language)
    client.cookies.set(COOKIE, portal.call(sessions.open, session))
    return session.csrf
