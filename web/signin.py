"""OpenID Connect sign-in: authorization code with PKCE (S256), against any standard provider.

The provider is found from its discovery document (`<issuer>/.well-known/openid-configuration`,
or `PANA_WEB_OIDC_DISCOVERY_URL`, which must name the same issuer),
so Keycloak locally and any other certified provider elsewhere work the same way. The ID token
is verified (signature by the provider's JWKS, issuer, audience, nonce) before a session opens;
the access token is only passed on to the services, which verify it themselves.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

from web.sessions import PendingSignIn, Tokens
from web.settings import WebSettings


class SignInFailed(Exception):
    """The provider refused, or answered something that does not verify."""


@dataclass
class Provider:
    """The provider's endpoints, read once from its discovery document."""

    authorization_endpoint: str
    token_endpoint: str
    end_session_endpoint: str | None
    jwks: jwt.PyJWKClient


class OpenIdClient:
    """The web app as an OpenID Connect client of `settings.oidc_issuer`."""

    def __init__(self, settings: WebSettings, http: httpx.AsyncClient) -> None:
        self.settings, self.http = settings, http
        self._provider: Provider | None = None
        self.redirect_uri = f"{settings.base_url}/auth/callback"

    async def provider(self) -> Provider:
        if self._provider is None:
            answer = await self.http.get(self.settings.discovery_url)
            answer.raise_for_status()
            found = answer.json()
            if str(found.get("issuer", "")).rstrip("/") != self.settings.oidc_issuer.rstrip("/"):
                # Browsers and services must see one `iss`: a provider answering with another
                # name (its hostname not set) would issue tokens the services refuse.
                raise SignInFailed(f"the provider names itself {found.get('issuer')!r}")
            self._provider = Provider(
                found["authorization_endpoint"],
                found["token_endpoint"],
                found.get("end_session_endpoint"),
                jwt.PyJWKClient(found["jwks_uri"], cache_jwk_set=True, lifespan=300),
            )
        return self._provider

    async def authorization_url(self, state: str, pending: PendingSignIn, language: str) -> str:
        """Where to send the browser to sign in."""
        digest = hashlib.sha256(pending.verifier.encode()).digest()
        challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        query = {
            "client_id": self.settings.oidc_client_id,
            "response_type": "code",
            "scope": "openid",
            "redirect_uri": self.redirect_uri,
            "state": state,
            "nonce": pending.nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "ui_locales": language,
        }
        return f"{(await self.provider()).authorization_endpoint}?{urlencode(query)}"

    async def exchange(self, code: str, pending: PendingSignIn) -> tuple[Tokens, dict[str, Any]]:
        """Trade the code for tokens; verify the ID token; return tokens and its claims."""
        tokens = await self._token_request(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self.redirect_uri,
                "code_verifier": pending.verifier,
            }
        )
        if not tokens.id_token:
            raise SignInFailed("the provider sent no ID token")
        claims = await self._verify_id_token(tokens.id_token)
        if claims.get("nonce") != pending.nonce:
            raise SignInFailed("the ID token's nonce does not match the sign-in")
        return tokens, claims

    async def refresh(self, tokens: Tokens) -> Tokens:
        """New tokens from the refresh token (the access token lasts minutes)."""
        if not tokens.refresh_token:
            raise SignInFailed("no refresh token")
        return await self._token_request(
            {"grant_type": "refresh_token", "refresh_token": tokens.refresh_token}
        )

    async def sign_out_url(self, id_token: str | None) -> str | None:
        """Where to end the provider's session too, then come back to the app."""
        endpoint = (await self.provider()).end_session_endpoint
        if endpoint is None:
            return None
        query = {
            "post_logout_redirect_uri": f"{self.settings.base_url}/",
            "client_id": self.settings.oidc_client_id,
        }
        if id_token:
            query["id_token_hint"] = id_token
        return f"{endpoint}?{urlencode(query)}"

    async def _token_request(self, form: dict[str, str]) -> Tokens:
        form = {**form, "client_id": self.settings.oidc_client_id}
        secret = self.settings.oidc_client_secret
        if secret is not None:
            form["client_secret"] = secret.get_secret_value()
        answer = await self.http.post((await self.provider()).token_endpoint, data=form)
        if answer.status_code != 200:
            raise SignInFailed(f"the provider refused the token request ({answer.status_code})")
        body = answer.json()
        return Tokens(
            access_token=body["access_token"],
            refresh_token=body.get("refresh_token"),
            id_token=body.get("id_token"),
            expires_at=time.time() + float(body.get("expires_in", 60)),
        )

    async def _verify_id_token(self, id_token: str) -> dict[str, Any]:
        provider = await self.provider()
        try:
            # PyJWKClient fetches the keys with a blocking call (once per lifespan).
            key = await asyncio.to_thread(provider.jwks.get_signing_key_from_jwt, id_token)
            claims: dict[str, Any] = jwt.decode(
                id_token,
                key,
                algorithms=["RS256", "ES256"],
                audience=self.settings.oidc_client_id,
                issuer=self.settings.oidc_issuer,
                leeway=30,
            )
        except jwt.PyJWTError as exc:
            raise SignInFailed(f"the ID token does not verify: {type(exc).__name__}") from exc
        return claims


def new_pending(next_path: str) -> PendingSignIn:
    """A fresh PKCE verifier and nonce for one sign-in."""
    return PendingSignIn(secrets.token_urlsafe(48), secrets.token_urlsafe(16), next_path)
