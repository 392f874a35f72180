"""Settings every service shares, read from `PANA_*` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from eventkit.kafka_access import KafkaAccess, SaslMechanism, SecurityProtocol


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
    database_owner_url: str | None = Field(
        default=None,
        description="The schema owner's URL, for migrations at start only (a short-lived "
        "connection); the service's own connections (database_url) then use a role that owns "
        "no table. Unset: database_url's role migrates too (development, tests).",
    )
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_security_protocol: SecurityProtocol = Field(
        default="PLAINTEXT",
        description="SASL_PLAINTEXT or SASL_SSL where the broker requires SCRAM (every "
        "deployment of this project); PLAINTEXT only for a broker open to anyone.",
    )
    kafka_sasl_mechanism: SaslMechanism = "SCRAM-SHA-512"
    kafka_username: str | None = Field(
        default=None, description="This service's own Kafka principal (ACLs: its own topics)."
    )
    kafka_password: SecretStr | None = None
    kafka_password_file: Path | None = Field(
        default=None,
        description="A file holding the password instead (compose and Kubernetes secrets).",
    )
    kafka_ssl_cafile: Path | None = Field(
        default=None, description="SASL_SSL: the CA of the broker's certificate (Strimzi's)."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    otel_exporter: Literal["none", "console", "otlp"] = "none"
    otel_endpoint: str | None = None
    otel_sample_ratio: float = Field(
        default=1.0, ge=0, le=1, description="Share of new traces kept when exporting spans."
    )
    readiness_timeout_seconds: float = Field(default=2.0, gt=0)
    read_your_writes_timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        le=30,
        description="How long `Pana-After` waits for this service's copies.",
    )
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

    @property
    def kafka(self) -> KafkaAccess:
        """Where the broker is and the principal this process authenticates as."""
        return KafkaAccess(
            self.kafka_bootstrap_servers,
            self.kafka_security_protocol,
            self.kafka_sasl_mechanism,
            self.kafka_username,
            self._kafka_password(),
            str(self.kafka_ssl_cafile) if self.kafka_ssl_cafile else None,
        )

    def _kafka_password(self) -> str | None:
        if self.kafka_password is not None:
            return self.kafka_password.get_secret_value()
        if self.kafka_password_file is not None:
            return self.kafka_password_file.read_text().strip()
        return None

    @model_validator(mode="after")
    def _refuse_unsafe_defaults(self) -> Self:
        if self.kafka_security_protocol != "PLAINTEXT" and not (
            self.kafka_username and (self.kafka_password or self.kafka_password_file)
        ):
            raise ValueError(
                f"PANA_KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol} needs "
                "PANA_KAFKA_USERNAME and PANA_KAFKA_PASSWORD (or PANA_KAFKA_PASSWORD_FILE)"
            )
        if self.environment == "production":
            missing = {"database_url", "kafka_bootstrap_servers"} - self.model_fields_set
            if missing:
                names = ", ".join(f"PANA_{m.upper()}" for m in sorted(missing))
                raise ValueError(f"production needs explicit settings: {names}")
            if self.kafka_security_protocol == "PLAINTEXT":
                raise ValueError(
                    "production needs an authenticated Kafka client: set "
                    "PANA_KAFKA_SECURITY_PROTOCOL (SASL_SSL) and the service's credentials"
                )
        return self
