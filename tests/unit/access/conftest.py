"""A local issuer (one ES256 key, its JWKS file) and a verifier that trusts it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from access.jwks import JwksFile
from access.signing import SigningKey, issue_token, load_key, write_keys
from access.tokens import TokenVerifier
from tests.unit.access.issuer import AUDIENCE, ISSUER, Issue


@pytest.fixture(scope="session")
def issuer_keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[SigningKey, Path]:
    key_path, jwks_path = write_keys(tmp_path_factory.mktemp("issuer"))
    return load_key(key_path), jwks_path


@pytest.fixture(scope="session")
def verifier(issuer_keys: tuple[SigningKey, Path]) -> TokenVerifier:
    return TokenVerifier(JwksFile(issuer_keys[1]), ISSUER, AUDIENCE)


@pytest.fixture(scope="session")
def issue(issuer_keys: tuple[SigningKey, Path]) -> Issue:
    """Sign `claims` (a caseworker in lima_callao by default) with the trusted key."""

    def sign(key: SigningKey | None = None, **claims: Any) -> str:
        base: dict[str, Any] = {
            "sub": "user-17",
            "org": "ngo-pe",
            "role": "caseworker",
            "regions": ["lima_callao"],
        }
        return issue_token(key or issuer_keys[0], base | claims, issuer=ISSUER, audience=AUDIENCE)

    return sign
