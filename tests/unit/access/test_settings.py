"""Configuration: one key source, no unsafe defaults in production, two distinct data keys."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from access.jwks import JwksFile, JwksUrl
from access.settings import PersonalDataKeys, TokenSettings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("PANA_AUTH_", "PANA_PERSONAL_DATA_")) or name == "PANA_ENVIRONMENT":
            monkeypatch.delenv(name)


def b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


def test_a_jwks_file(issuer_keys: tuple[object, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANA_AUTH_JWKS_PATH", str(issuer_keys[1]))
    verifier = TokenSettings().verifier()
    assert isinstance(verifier.keys, JwksFile)
    assert verifier.leeway.total_seconds() == 30


def test_a_jwks_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANA_AUTH_JWKS_URL", "https://idp.example/.well-known/jwks.json")
    assert isinstance(TokenSettings().verifier().keys, JwksUrl)


def test_exactly_one_key_source(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError, match="exactly one"):
        TokenSettings()
    monkeypatch.setenv("PANA_AUTH_JWKS_PATH", "/k.json")
    monkeypatch.setenv("PANA_AUTH_JWKS_URL", "https://idp.example/jwks")
    with pytest.raises(ValidationError, match="exactly one"):
        TokenSettings()


def test_production_names_its_issuer_and_audience(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANA_ENVIRONMENT", "production")
    monkeypatch.setenv("PANA_AUTH_JWKS_URL", "https://idp.example/jwks")
    with pytest.raises(ValidationError, match="PANA_AUTH_ISSUER"):
        TokenSettings()
    monkeypatch.setenv("PANA_AUTH_ISSUER", "https://idp.example")
    monkeypatch.setenv("PANA_AUTH_AUDIENCE", "pana")
    assert TokenSettings().issuer == "https://idp.example"


def test_personal_data_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    master, index = os.urandom(32), os.urandom(32)
    monkeypatch.setenv("PANA_PERSONAL_DATA_MASTER_KEY", b64(master))
    monkeypatch.setenv("PANA_PERSONAL_DATA_BLIND_INDEX_KEY", b64(index))
    keys = PersonalDataKeys()
    assert (keys.master().secret, keys.blind_index_secret()) == (master, index)
    assert b64(master) not in repr(keys)


def test_personal_data_keys_have_no_default_and_must_differ(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(ValidationError):
        PersonalDataKeys()
    same = b64(os.urandom(32))
    monkeypatch.setenv("PANA_PERSONAL_DATA_MASTER_KEY", same)
    monkeypatch.setenv("PANA_PERSONAL_DATA_BLIND_INDEX_KEY", same)
    with pytest.raises(ValidationError, match="must differ"):
        PersonalDataKeys()
