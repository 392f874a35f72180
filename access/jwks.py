"""Where the issuer's public keys come from: a JWKS file, or a JWKS URL with a cache."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Protocol

import jwt


class KeysUnavailable(Exception):
    """The issuer's keys could not be read: the server's problem (503), not the caller's (401)."""


class UnknownKey(LookupError):
    """The issuer publishes no key with the token's key id."""


class KeySource(Protocol):
    """The issuer's signing keys, looked up by key id (`kid`)."""

    def key_for(self, kid: str) -> jwt.PyJWK:
        """The key with `kid`; raise `UnknownKey` or `KeysUnavailable`."""
        ...


class JwksFile:
    """Keys read once from a JWKS file (rotating them means restarting the process)."""

    def __init__(self, path: Path) -> None:
        try:
            self._keys = jwt.PyJWKSet.from_dict(json.loads(path.read_text()))
        except (OSError, ValueError, jwt.PyJWTError) as exc:
            raise KeysUnavailable(f"cannot read the JWKS file {path}: {exc}") from exc

    def key_for(self, kid: str) -> jwt.PyJWK:
        """The key with `kid`; raise `UnknownKey`."""
        try:
            return self._keys[kid]
        except KeyError:
            raise UnknownKey(kid) from None


class JwksUrl:
    """Keys fetched from the issuer's JWKS URL, cached for `cache_seconds`.

    An unknown key id forces one refetch (the issuer may have rotated its keys), at most once
    per `cooldown_seconds` so that tokens with made-up key ids cannot hammer the issuer.
    Lookups block on the network when the cache is cold: call them from a worker thread.
    """

    def __init__(
        self,
        url: str,
        *,
        cache_seconds: float = 300,
        timeout_seconds: float = 5,
        cooldown_seconds: float = 30,
    ) -> None:
        self._client = jwt.PyJWKClient(
            url,
            cache_jwk_set=True,
            lifespan=cache_seconds,
            timeout=timeout_seconds,
            cooldown_duration=cooldown_seconds,
        )

    def key_for(self, kid: str) -> jwt.PyJWK:
        """The key with `kid`; raise `UnknownKey` or `KeysUnavailable`."""
        try:
            return self._client.get_signing_key(kid)
        except jwt.PyJWKClientConnectionError as exc:
            raise KeysUnavailable(f"cannot fetch the issuer's JWKS: {exc}") from exc
        except jwt.PyJWKClientError as exc:
            raise UnknownKey(kid) from exc
        except (jwt.PyJWKSetError, ValueError) as exc:
            raise KeysUnavailable(f"the issuer's JWKS is not a usable key set: {exc}") from exc
