"""Configuration of the web app, from `PANA_WEB_*` (and the shared `PANA_OIDC_ISSUER`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    oidc_client_id: str = "pana-web"
    oidc_client_secret: SecretStr | None = None
    """Only for a confidential client; the local realm's `pana-web` is public (PKCE)."""
    session_idle_minutes: int = Field(60, gt=0)
    service_timeout_seconds: float = Field(15, gt=0)
    log_level: str = "INFO"

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://127.0.0.1:{self.port}").rstrip("/")
