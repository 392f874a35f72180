"""Signing in at the test Keycloak without a browser: the authorization code flow with PKCE,
as the web app runs it, for tests that need a person's access token."""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
from urllib.parse import parse_qs, urlsplit

import httpx

from deploy.keycloak.accounts import PASSWORD
from deploy.keycloak.server import KeycloakServer

CLIENT_ID = "pana-web"
REDIRECT = "http://127.0.0.1:1/callback"  # never visited: the code is read from the redirect


def sign_in(server: KeycloakServer, username: str) -> str:
    """The access token Keycloak issues `username` through its login form."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    endpoint = f"{server.issuer}/protocol/openid-connect"
    with httpx.Client(timeout=30) as client:
        form = client.get(
            f"{endpoint}/auth",
            params={
                "client_id": CLIENT_ID, "response_type": "code", "scope": "openid",
                "redirect_uri": REDIRECT, "code_challenge": challenge,
                "code_challenge_method": "S256", "state": "test",
            },
        )  # fmt: skip
        form.raise_for_status()
        found = re.search(r'<form[^>]*id="kc-form-login"[^>]*action="([^"]+)"', form.text)
        assert found, form.text[:500]
        # Keycloak's cookies are `Secure`: httpx keeps them from plain HTTP, a browser does not
        # on the loopback interface. Send them back by hand.
        cookies = "; ".join(f"{name}={value}" for name, value in form.cookies.items())
        answer = client.post(
            html.unescape(found.group(1)),
            data={"username": username, "password": PASSWORD},
            headers={"Cookie": cookies},
        )
        assert answer.status_code == 302, answer.text[:500]
        code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
        tokens = client.post(
            f"{endpoint}/token",
            data={
                "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
                "client_id": CLIENT_ID, "code_verifier": verifier,
            },
        )  # fmt: skip
        tokens.raise_for_status()
        return str(tokens.json()["access_token"])
