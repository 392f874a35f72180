"""Slow the real broker down for producers with a Kafka client quota, and lift it again.

A quota is how an operator (or a shared cluster's noisy neighbour) slows a client down without
stopping anything: past `producer_byte_rate` bytes per second the broker delays its answers, so
the relays' publishing crawls while everything stays connected. It is set on the default client
entity (every client id, so the relays of every service and the standalone one alike) with the
broker's own `kafka-configs` tool (`kafka.admin.ConfigCommand`, Kafka's admin API), run from the
jars the local broker runs from.
"""

from __future__ import annotations

import os
import subprocess
import tempfile

from deploy.local.kafka import ensure_jars
from eventkit.kafka_access import KafkaAccess

QUOTA = "producer_byte_rate"
# A short-lived JVM: the client compiler only and the serial collector start it in about half the
# time, which matters on a busy two-core machine.
JAVA = ["java", "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"]


def _client_config(admin: KafkaAccess) -> str:
    """A Java client properties file (0600: it holds the password) logging in as `admin`."""
    fd, path = tempfile.mkstemp(prefix="pana-admin-", suffix=".properties")
    module = "org.apache.kafka.common.security.scram.ScramLoginModule"
    with os.fdopen(fd, "w") as handle:
        handle.write(
            f"security.protocol={admin.security_protocol}\n"
            f"sasl.mechanism={admin.sasl_mechanism}\n"
            f'sasl.jaas.config={module} required username="{admin.username}" '
            f'password="{admin.password}";\n'
        )
    return path


def set_producer_byte_rate(admin: KafkaAccess, rate: int | None) -> None:
    """Limit every producer to `rate` bytes per second (None: lift the limit), as `admin`."""
    change = ["--add-config", f"{QUOTA}={rate}"] if rate else ["--delete-config", QUOTA]
    config = _client_config(admin)
    try:
        done = subprocess.run(
            [
                *JAVA, "-cp", f"{ensure_jars()}/*", "kafka.admin.ConfigCommand",
                "--bootstrap-server", admin.bootstrap_servers, "--command-config", config,
                "--alter", "--entity-type", "clients", "--entity-default", *change,
            ],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    finally:
        os.unlink(config)
    if done.returncode != 0:
        raise RuntimeError(f"kafka-configs {' '.join(change)} failed: {done.stdout}{done.stderr}")


class ProducerThrottle:
    """Every producer crawls at `rate` bytes per second between `apply()` and `lift()`."""

    def __init__(self, admin: KafkaAccess, rate: int) -> None:
        self.admin, self.rate = admin, rate
        self.active = False

    def apply(self) -> None:
        set_producer_byte_rate(self.admin, self.rate)
        self.active = True

    def lift(self) -> None:
        """Remove the quota (once: the broker refuses to delete a quota it does not have)."""
        if self.active:
            set_producer_byte_rate(self.admin, None)
            self.active = False
