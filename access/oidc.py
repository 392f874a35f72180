"""Tokens from the configured OpenID Connect provider, beside the platform's own API tokens.

People sign in to the web app at an OpenID provider (locally Keycloak, `deploy/keycloak/`); the
web app calls the services with the access token the provider issued them. Services verify it
against the provider's JWKS and map its claims to the same `Principal` an API token gives:

- `role`: the one program role among the realm roles (`realm_access.roles`, Keycloak's shape)
  or a `role` claim; none or several is refused;
- `org`, `regions`, `provider_id`, `unit_id`: claims of those names (protocol mappers of user
  attributes in `deploy/keycloak/pana-realm.json`).

API tokens keep working exactly as before: a token naming another issuer than the provider's
goes to the platform's own verifier. Configured by `PANA_OIDC_ISSUER` and `PANA_OIDC_JWKS_URL`
(both, or neither: then only API tokens are accepted), `PANA_OIDC_AUDIENCE` (default `pana`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Self

import jwt
from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from access.jwks import JwksUrl
from access.principal import InconsistentClaims, Role
from access.tokens import DEV_AUDIENCE, MalformedToken, TokenVerifier

_ROLES = {role.value for role in Role}


class OidcSettings(BaseSettings):
    """The OpenID provider whose access tokens the services accept (`PANA_OIDC_*`)."""

    model_config = SettingsConfigDict(env_prefix="PANA_OIDC_", extra="ignore")

    issuer: str | None = None
    jwks_url: str | None = None
    audience: str = DEV_AUDIENCE

    @model_validator(mode="after")
    def _both_or_neither(self) -> Self:
        if (self.issuer is None) != (self.jwks_url is None):
            raise ValueError("set both PANA_OIDC_ISSUER and PANA_OIDC_JWKS_URL, or neither")
        return self


def principal_claims(claims: dict[str, Any]) -> dict[str, Any]:
    """The provider's claims in the shape `Principal.from_claims` reads (`role` added)."""
    if isinstance(claims.get("role"), str):
        return claims
    access = claims.get("realm_access")
    roles = access.get("roles", []) if isinstance(access, dict) else []
    held = sorted(_ROLES.intersection(r for r in roles if isinstance(r, str)))
    if len(held) != 1:
        raise InconsistentClaims("the account must hold exactly one program role")
    return {**claims, "role": held[0]}


@dataclass(frozen=True)
class WithOpenIdProvider(TokenVerifier):
    """The platform's verifier, which also accepts the OpenID provider's access tokens."""

    provider: TokenVerifier | None = None

    def verify(self, token: str) -> dict[str, Any]:
        """Verified claims, by whichever issuer the token names (a forged `iss` fails its
        issuer's signature check)."""
        if self.provider is not None and token:
            try:
                issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
            except jwt.InvalidTokenError as exc:
                raise MalformedToken("the token is not a well-formed JWT") from exc
            if issuer == self.provider.issuer:
                return principal_claims(self.provider.verify(token))
        return super().verify(token)


def with_openid_provider(verifier: TokenVerifier) -> TokenVerifier:
    """`verifier`, accepting also the configured provider's tokens (unchanged when none is)."""
    settings = OidcSettings()
    if settings.issuer is None or settings.jwks_url is None:
        return verifier
    provider = TokenVerifier(
        JwksUrl(settings.jwks_url), settings.issuer, settings.audience, verifier.leeway
    )
    return WithOpenIdProvider(
        verifier.keys,
        verifier.issuer,
        verifier.audience,
        verifier.leeway,
        verifier.algorithms,
        provider=provider,
    )
