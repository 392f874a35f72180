"""Verifying OAuth2 bearer JWTs against a configurable issuer's published keys.

Any standard identity provider can issue the tokens in production (its JWKS URL is configured
in `access.settings.TokenSettings`); locally, `python -m access.tokens keygen|issue` (see
`access.signing`) plays the issuer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar

import jwt

from access.jwks import KeySource, UnknownKey

DEV_ISSUER = "pana-local"
DEV_AUDIENCE = "pana"
ACCEPTED_ALGORITHMS = ("ES256", "RS256")
"""Asymmetric only: services verify, they never hold a secret that could also sign."""


class TokenError(Exception):
    """A token was refused (HTTP 401); `reason` is safe to return to the caller."""

    kind: ClassVar[str] = "invalid"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class MissingToken(TokenError):
    """No bearer token at all."""

    kind = "missing"


class MalformedToken(TokenError):
    """Not a JWT, or a JWT lacking a required claim or header."""

    kind = "malformed"


class TokenExpired(TokenError):
    """Past its `exp` (beyond the leeway)."""

    kind = "expired"


class TokenNotYetValid(TokenError):
    """Before its `nbf` or `iat` (beyond the leeway)."""

    kind = "not_yet_valid"


class BadSignature(TokenError):
    """Not signed by a key the issuer publishes, or with a refused algorithm."""

    kind = "bad_signature"


class WrongIssuer(TokenError):
    """Issued by someone else than the configured issuer."""

    kind = "wrong_issuer"


class WrongAudience(TokenError):
    """Meant for another audience."""

    kind = "wrong_audience"


# Most specific first: PyJWT's InvalidSignatureError is a DecodeError, for instance.
_TRANSLATIONS: tuple[tuple[type[jwt.InvalidTokenError], type[TokenError], str], ...] = (
    (jwt.ExpiredSignatureError, TokenExpired, "the token has expired"),
    (jwt.ImmatureSignatureError, TokenNotYetValid, "the token is not valid yet"),
    (jwt.InvalidSignatureError, BadSignature, "the signature does not match the issuer's key"),
    (jwt.InvalidAlgorithmError, BadSignature, "the token's algorithm is not accepted"),
    (jwt.InvalidIssuerError, WrongIssuer, "the token was not issued by the expected issuer"),
    (jwt.InvalidAudienceError, WrongAudience, "the token is not meant for this audience"),
    (jwt.MissingRequiredClaimError, MalformedToken, "the token lacks a required claim"),
    (jwt.DecodeError, MalformedToken, "the token is not a well-formed JWT"),
    (jwt.InvalidTokenError, MalformedToken, "the token's claims are invalid"),
)


def _translate(exc: jwt.InvalidTokenError) -> TokenError:
    for source, error, reason in _TRANSLATIONS:
        if isinstance(exc, source):
            if isinstance(exc, jwt.MissingRequiredClaimError):
                reason = f"the token lacks the {exc.claim!r} claim"
            return error(reason)
    return MalformedToken("the token is invalid")  # unreachable: the last row catches all


@dataclass(frozen=True)
class TokenVerifier:
    """Checks signature (by `kid`), issuer, audience, `exp` and `nbf` (with `leeway`)."""

    keys: KeySource
    issuer: str
    audience: str
    leeway: timedelta = timedelta(seconds=30)
    algorithms: tuple[str, ...] = ACCEPTED_ALGORITHMS

    def verify(self, token: str) -> dict[str, Any]:
        """The verified claims of `token`; raise a `TokenError` subclass with the reason."""
        if not token:
            raise MissingToken("no bearer token")
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.InvalidTokenError as exc:
            # PyJWT refuses a `kid` that is not text with its base class, not a DecodeError.
            if "Key ID" in str(exc):
                raise MalformedToken("the token names no signing key (kid)") from exc
            raise MalformedToken("the token is not a well-formed JWT") from exc
        if not isinstance(kid, str):
            raise MalformedToken("the token names no signing key (kid)")
        try:
            key = self.keys.key_for(kid)
        except UnknownKey as exc:
            raise BadSignature("the token is signed by a key the issuer does not publish") from exc
        # The algorithm comes from our configuration and the issuer's key, never from the token.
        if key.algorithm_name not in self.algorithms:
            raise BadSignature("the issuer's key uses an algorithm not accepted here")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[key.algorithm_name],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.InvalidTokenError as exc:
            raise _translate(exc) from exc
        _check_dates(claims)
        return claims


LATEST_TIME = 253402300799
"""9999-12-31T23:59:59Z, the last second a calendar date (and a database) can hold."""


def _check_dates(claims: dict[str, Any]) -> None:
    """Refuse numeric dates no clock can reach (PyJWT only checks them against now).

    An `exp` of 1e308 or 10**400 is "in the future" for PyJWT, but no datetime holds it: every
    use of it later (caching until expiry, a grant's end) would fail as a server error.
    """
    for name in ("exp", "nbf", "iat"):
        value = claims.get(name)
        if value is None:
            continue
        finite = isinstance(value, int | float) and not isinstance(value, bool)
        if not finite or not 0 <= value <= LATEST_TIME:
            raise MalformedToken(
                f"the token's {name!r} claim is not a time between 1970 and 9999 in epoch seconds"
            )
