"""The sign-in edges a browser test does not reach: a callback that is not this browser's own
sign-in opens no session, `next` never leads off the app, pages need a session, forms need
the session's CSRF token, and every answer carries the security headers."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from anyio.from_thread import BlockingPortal
from fastapi.testclient import TestClient

from web.app import create_app
from web.pages.auth import _safe_next
from web.sessions import COOKIE, LOGIN_COOKIE, PendingSignIn, Session, Tokens
from web.settings import WebSettings
from web.signin import OpenIdClient, SignInFailed


@pytest.fixture
def client() -> Iterator[TestClient]:
    settings = WebSettings(oidc_issuer="http://127.0.0.1:1/realms/pana")
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        yield client


def _portal(client: TestClient) -> BlockingPortal:
    """The client's event loop, where the app's (async) session store runs."""
    assert client.portal is not None
    return client.portal


def test_a_callback_with_another_browsers_state_opens_no_session(client: TestClient) -> None:
    sessions = client.app.state.sessions  # type: ignore[attr-defined]
    state = _portal(client).call(
        sessions.start_sign_in, PendingSignIn("verifier", "nonce", "/casos")
    )
    client.cookies.set(LOGIN_COOKIE, "someone-elses-state")
    answer = client.get(f"/auth/callback?state={state}&code=stolen", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    assert COOKIE not in answer.cookies


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example", "casos", ""])
def test_next_never_leaves_the_app(target: str) -> None:
    assert _safe_next(target) == "/"


def test_pages_need_a_session(client: TestClient) -> None:
    answer = client.get("/casos", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login?next=")


def test_the_clinic_script_hears_401_when_the_session_ended(client: TestClient) -> None:
    answer = client.post("/clinica/canje", json={"code": "X"}, headers={"Idempotency-Key": "k"})
    assert answer.status_code == 401  # its redemption stays pending, the page asks to sign in


def test_a_form_without_the_sessions_csrf_token_is_refused(client: TestClient) -> None:
    sessions = client.app.state.sessions  # type: ignore[attr-defined]
    token = "header.eyJzdWIiOiJ4In0.signature"  # never verified here: the services do that
    sid = _portal(client).call(sessions.open, Session(Tokens(token, None, None, 9e12), {}, "es"))
    client.cookies.set(COOKIE, sid)
    answer = client.post("/clinica/vale", data={"code": "X", "csrf": "forged"})
    assert answer.status_code == 403


def test_every_page_carries_the_security_headers(client: TestClient) -> None:
    answer = client.get("/")
    policy = answer.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "form-action 'self' http://127.0.0.1:1" in policy
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert 'lang="es"' in answer.text and "Iniciar sesión" in answer.text


async def test_the_discovery_document_must_name_the_configured_issuer() -> None:
    """Compose and Kubernetes read it at an in-network address; the issuer stays the browsers'."""
    settings = WebSettings(
        oidc_issuer="http://localhost:8180/realms/pana",
        oidc_discovery_url="http://keycloak:8080/realms/pana/.well-known/openid-configuration",
    )
    asked: list[str] = []

    def answer(issuer: str) -> httpx.MockTransport:
        def handler(request: httpx.Request) -> httpx.Response:
            asked.append(str(request.url))
            base = "http://keycloak:8080/realms/pana/protocol/openid-connect"
            return httpx.Response(
                200,
                json={
                    "issuer": issuer,
                    "authorization_endpoint": "http://localhost:8180/realms/pana/auth",
                    "token_endpoint": f"{base}/token",
                    "jwks_uri": f"{base}/certs",
                },
            )

        return httpx.MockTransport(handler)

    async with httpx.AsyncClient(transport=answer("http://keycloak:8080/realms/pana")) as http:
        with pytest.raises(SignInFailed):
            await OpenIdClient(settings, http).provider()
    async with httpx.AsyncClient(transport=answer(settings.oidc_issuer)) as http:
        provider = await OpenIdClient(settings, http).provider()
    assert provider.token_endpoint.startswith("http://keycloak:8080/")
    assert asked == [settings.discovery_url] * 2
