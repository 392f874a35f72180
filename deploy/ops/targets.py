"""Where the operator commands look: each service's database, Kafka and HTTP address.

Defaults are those of `make up`; each can be overridden, e.g. `PANA_CASES_DATABASE_URL`,
`PANA_KAFKA_BOOTSTRAP_SERVERS` (with `PANA_KAFKA_SECURITY_PROTOCOL`, `PANA_KAFKA_USERNAME`,
`PANA_KAFKA_PASSWORD`), `PANA_VOUCHERS_URL`. On `make up`'s stack Kafka is read as the
read-only `reader` principal.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from deploy.local.stack import SERVICE_PORTS, LocalStack, database_url_for
from eventkit.kafka_access import KafkaAccess, access_from_env


@dataclass(frozen=True)
class Targets:
    databases: dict[str, str]
    urls: dict[str, str]
    kafka: KafkaAccess
    principals: Callable[[str], KafkaAccess]
    """How a named principal (`admin`, a service) connects: the local stack's credentials, or
    the `PANA_KAFKA_*` of the environment when the operator names the broker."""


def targets() -> Targets:
    stack = LocalStack.from_env()
    env = os.environ
    databases = {
        name: env.get(f"PANA_{name.upper()}_DATABASE_URL")
        or database_url_for(stack.server_url, f"pana_{name}")
        for name in SERVICE_PORTS
    }
    urls = {name: env.get(f"PANA_{name.upper()}_URL") or stack.url(name) for name in SERVICE_PORTS}
    bootstrap = env.get("PANA_KAFKA_BOOTSTRAP_SERVERS")
    kafka = access_from_env(bootstrap) if bootstrap else stack.kafka.access("reader")
    principals: Callable[[str], KafkaAccess] = (
        (lambda _: access_from_env(bootstrap)) if bootstrap else stack.kafka.access
    )
    return Targets(databases, urls, kafka, principals)
