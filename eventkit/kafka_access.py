"""Who a Kafka client is: the broker's address and the principal it authenticates as.

The broker of every deployment (local stack, compose, Kubernetes, the test harness) requires
SASL/SCRAM: each service connects as its own principal, whose ACLs let it write only its own
topics (`deploy/kafka_principals.py`). Every aiokafka producer, consumer and admin client built
in `eventkit` takes its options from one `KafkaAccess`, so none can connect anonymously by
mistake.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast, get_args

SecurityProtocol = Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["SCRAM-SHA-512", "SCRAM-SHA-256"]


@dataclass(frozen=True, repr=False)
class KafkaAccess:
    """A broker address and the credentials to present there (none: PLAINTEXT, anonymous)."""

    bootstrap_servers: str
    security_protocol: SecurityProtocol = "PLAINTEXT"
    sasl_mechanism: SaslMechanism = "SCRAM-SHA-512"
    username: str | None = None
    password: str | None = None
    ssl_cafile: str | None = None
    """SASL_SSL: the CA that signed the broker's certificate (None: the system's CAs)."""

    def options(self) -> dict[str, Any]:
        """Keyword arguments for any aiokafka client (producer, consumer, admin, client)."""
        opts: dict[str, Any] = {
            "bootstrap_servers": self.bootstrap_servers,
            "security_protocol": self.security_protocol,
        }
        if self.security_protocol != "PLAINTEXT":
            opts["sasl_mechanism"] = self.sasl_mechanism
            opts["sasl_plain_username"] = self.username
            opts["sasl_plain_password"] = self.password
        if self.security_protocol == "SASL_SSL":
            from aiokafka.helpers import create_ssl_context

            opts["ssl_context"] = create_ssl_context(cafile=self.ssl_cafile)
        return opts

    def env(self) -> dict[str, str]:
        """The `PANA_KAFKA_*` variables a service process reads these from."""
        out = {
            "PANA_KAFKA_BOOTSTRAP_SERVERS": self.bootstrap_servers,
            "PANA_KAFKA_SECURITY_PROTOCOL": self.security_protocol,
        }
        if self.security_protocol != "PLAINTEXT":
            out["PANA_KAFKA_SASL_MECHANISM"] = self.sasl_mechanism
            out["PANA_KAFKA_USERNAME"] = self.username or ""
            out["PANA_KAFKA_PASSWORD"] = self.password or ""
        if self.ssl_cafile:
            out["PANA_KAFKA_SSL_CAFILE"] = self.ssl_cafile
        return out

    def settings(self) -> dict[str, Any]:
        """Keyword arguments for a `ServiceSettings` (tests build services with them)."""
        return {k.removeprefix("PANA_").lower(): v for k, v in self.env().items()}

    def __repr__(self) -> str:  # never print the password
        return (
            f"KafkaAccess({self.bootstrap_servers!r}, {self.security_protocol}, "
            f"user={self.username!r})"
        )


def as_access(kafka: KafkaAccess | str) -> KafkaAccess:
    """A `KafkaAccess`; a bare address means an anonymous PLAINTEXT client."""
    return kafka if isinstance(kafka, KafkaAccess) else KafkaAccess(kafka)


def access_from_env(bootstrap_servers: str, env: Mapping[str, str] | None = None) -> KafkaAccess:
    """`bootstrap_servers` with the credentials of `PANA_KAFKA_*` (command-line tools).

    Passwords travel in the environment, never on a command line (`ps` shows those).
    """
    env = os.environ if env is None else env
    password = env.get("PANA_KAFKA_PASSWORD")
    if password is None and env.get("PANA_KAFKA_PASSWORD_FILE"):
        with open(env["PANA_KAFKA_PASSWORD_FILE"]) as handle:
            password = handle.read().strip()
    protocol = env.get("PANA_KAFKA_SECURITY_PROTOCOL", "PLAINTEXT")
    mechanism = env.get("PANA_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
    if protocol not in get_args(SecurityProtocol) or mechanism not in get_args(SaslMechanism):
        raise ValueError(f"unknown Kafka security protocol or mechanism: {protocol}, {mechanism}")
    return KafkaAccess(
        bootstrap_servers,
        cast(SecurityProtocol, protocol),
        cast(SaslMechanism, mechanism),
        env.get("PANA_KAFKA_USERNAME"),
        password,
        env.get("PANA_KAFKA_SSL_CAFILE"),
    )
