"""Configuration of access control and personal-data protection, from `PANA_*` variables."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from access.crypto import MasterKey, decode_key
from access.jwks import JwksFile, JwksUrl, KeySource
from access.oidc import with_openid_provider
from access.tokens import DEV_AUDIENCE, DEV_ISSUER, TokenVerifier


class TokenSettings(BaseSettings):
    """Token verification from `PANA_AUTH_*` variables: exactly one of JWKS path or URL."""

    model_config = SettingsConfigDict(env_prefix="PANA_AUTH_", extra="ignore")

    environment: Literal["development", "test", "production"] = Field(
        "development", validation_alias="PANA_ENVIRONMENT"
    )
    issuer: str = DEV_ISSUER
    audience: str = DEV_AUDIENCE
    jwks_path: Path | None = None
    jwks_url: str | None = None
    jwks_cache_seconds: float = Field(300, gt=0)
    leeway_seconds: float = Field(30, ge=0, le=300)

    @model_validator(mode="after")
    def _one_key_source(self) -> Self:
        if (self.jwks_path is None) == (self.jwks_url is None):
            raise ValueError("set exactly one of PANA_AUTH_JWKS_PATH and PANA_AUTH_JWKS_URL")
        if self.environment == "production" and not {"issuer", "audience"} <= self.model_fields_set:
            raise ValueError("production needs explicit PANA_AUTH_ISSUER and PANA_AUTH_AUDIENCE")
        return self

    def verifier(self) -> TokenVerifier:
        """A verifier for these settings (a URL's keys are cached for `jwks_cache_seconds`)."""
        keys: KeySource = (
            JwksFile(self.jwks_path)
            if self.jwks_path is not None
            else JwksUrl(str(self.jwks_url), cache_seconds=self.jwks_cache_seconds)
        )
        leeway = timedelta(seconds=self.leeway_seconds)
        # The OpenID provider people sign in with, when configured (PANA_OIDC_*): access.oidc.
        return with_openid_provider(TokenVerifier(keys, self.issuer, self.audience, leeway))


class PersonalDataKeys(BaseSettings):
    """The two keys from `PANA_PERSONAL_DATA_MASTER_KEY` and `..._BLIND_INDEX_KEY` (base64).

    No defaults, in any environment: a default key would be a published key.
    """

    model_config = SettingsConfigDict(env_prefix="PANA_PERSONAL_DATA_", extra="ignore")

    master_key: SecretStr
    blind_index_key: SecretStr

    @model_validator(mode="after")
    def _two_distinct_keys(self) -> Self:
        master, index = self.master(), self.blind_index_secret()
        if master.secret == index:
            raise ValueError("the master key and the blind-index key must differ")
        return self

    def master(self) -> MasterKey:
        """The master key that wraps participants' data keys."""
        return MasterKey(decode_key(self.master_key.get_secret_value()))

    def blind_index_secret(self) -> bytes:
        """The HMAC key for `access.blind_index.blind_index`."""
        return decode_key(self.blind_index_key.get_secret_value())
