"""Settings every service shares, read from `PANA_*` environment variables."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """One process's configuration. Defaults work for `make up` on one machine.

    Outside `environment="development"` the defaults are refused: the database and Kafka must
    be named explicitly, so a production process never silently talks to a developer's laptop.
    """

    model_config = SettingsConfigDict(env_prefix="PANA_", extra="ignore")

    service_name: str = "service"
    environment: Literal["development", "test", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    database_url: str = "postgresql://postgres@127.0.0.1:5432/pana"
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    otel_exporter: Literal["none", "console", "otlp"] = "none"
    otel_endpoint: str | None = None
    otel_sample_ratio: float = Field(
        default=1.0, ge=0, le=1, description="Share of new traces kept when exporting spans."
    )
    readiness_timeout_seconds: float = Field(default=2.0, gt=0)
    database_pool_size: int = Field(default=20, ge=1, le=500)
    database_command_timeout_seconds: float = Field(default=10.0, gt=0)
    max_in_flight_requests: int = Field(
        default=256, ge=1, description="More at once get 503 with Retry-After (back-pressure)."
    )
    outbox_backlog_limit: int = Field(
        default=50_000,
        ge=0,
        description="Outbox rows (events not yet on Kafka) past which commands get 503 with "
        "Retry-After (eventkit.outbox_pressure); 0 disables the bound.",
    )
    max_request_body_bytes: int = Field(
        default=1_048_576, ge=1024, description="Larger request bodies get 413 before being read."
    )
    request_body_timeout_seconds: float = Field(
        default=10.0, gt=0, description="A command body not arrived whole by then gets 408."
    )
    max_bodies_per_client: int = Field(
        default=64, ge=1, description="Slow command bodies at once per subject/address (429)."
    )
    max_waiting_requests: int = Field(
        default=64, ge=1, description="Streams and long polls open at once, apart from commands."
    )
    max_waiting_per_client: int = Field(
        default=8, ge=1, description="Streams and long polls per token subject or address (429)."
    )

    @model_validator(mode="after")
    def _refuse_unsafe_defaults(self) -> Self:
        if self.environment == "production":
            missing = {"database_url", "kafka_bootstrap_servers"} - self.model_fields_set
            if missing:
                names = ", ".join(f"PANA_{m.upper()}" for m in sorted(missing))
                raise ValueError(f"production needs explicit settings: {names}")
        return self
