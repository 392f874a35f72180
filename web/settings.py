"""Configuration of the web app, from `PANA_WEB_*` (and the shared `PANA_OIDC_ISSUER`)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from access.crypto import decode_key
from web.sessions import MemorySessions, PostgresSessions, SessionStore


class WebSettings(BaseSettings):
    """Where the services and the OpenID provider are, and how the session cookie behaves."""

    model_config = SettingsConfigDict(env_prefix="PANA_WEB_", extra="ignore", populate_by_name=True)

    environment: Literal["development", "test", "production"] = Field(
        "development", validation_alias="PANA_ENVIRONMENT"
    )
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str | None = None
    """The address browsers reach the app at (the sign-in redirect); default the local port."""
    cases_url: str = "http://127.0.0.1:8001"
    referrals_url: str = "http://127.0.0.1:8002"
    vouchers_url: str = "http://127.0.0.1:8003"
    indicators_url: str = "http://127.0.0.1:8004"
    oidc_issuer: str = Field(
        "http://127.0.0.1:8180/realms/pana", validation_alias="PANA_OIDC_ISSUER"
    )
    oidc_discovery_url: str | None = None
    """Where this app reads the provider's discovery document, when it reaches the provider at
    another address than browsers do (compose, Kubernetes: the provider's in-cluster name, with
    its backchannel URLs resolved from the request); default the issuer's own."""
    oidc_client_id: str = "pana-web"
    oidc_client_secret: SecretStr | None = None
    """Only for a confidential client; the local realm's `pana-web` is public (PKCE)."""
    session_idle_minutes: int = Field(60, gt=0)
    database_url: SecretStr | None = None
    """The web app's own PostgreSQL database for sessions (shared by replicas); without it,
    sessions live in this process's memory (one process: development, unit tests)."""
    session_key: SecretStr | None = None
    """Base64 of 32 random bytes: seals the sessions' tokens in the database (required with
    `database_url`; generate one with `openssl rand -base64 32`)."""
    session_key_file: Path | None = None
    """The same key read from a file (a mounted Secret), instead of `session_key`."""
    service_timeout_seconds: float = Field(15, gt=0)
    log_level: str = "INFO"

    @model_validator(mode="after")
    def _sessions_shared_in_production(self) -> Self:
        keyless = self.session_key is None and self.session_key_file is None
        if self.database_url is not None and keyless:
            raise ValueError("PANA_WEB_DATABASE_URL needs PANA_WEB_SESSION_KEY(_FILE)")
        if self.environment == "production" and self.database_url is None:
            raise ValueError("production needs PANA_WEB_DATABASE_URL (sessions shared by replicas)")
        return self

    def session_store(self) -> SessionStore:
        """Sessions in the database when one is configured, else in this process's memory."""
        idle = self.session_idle_minutes * 60
        if self.database_url is None:
            return MemorySessions(idle)
        if self.session_key is not None:
            key = decode_key(self.session_key.get_secret_value())
        else:
            key = decode_key(Path(str(self.session_key_file)).read_text().strip())
        return PostgresSessions(self.database_url.get_secret_value(), key, idle)

    @property
    def discovery_url(self) -> str:
        default = f"{self.oidc_issuer.rstrip('/')}/.well-known/openid-configuration"
        return self.oidc_discovery_url or default

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://127.0.0.1:{self.port}").rstrip("/")
