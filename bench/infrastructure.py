"""The servers every benchmark shares: one PostgreSQL and one Kafka broker for the whole run.

They are the test harness's (`tests/support/infrastructure.py`), started the way it starts them:
`deploy/local`'s processes on free ports in a throwaway folder, so a run never touches `make up`'s
stack. Unlike the tests', PostgreSQL runs durable (fsync on), as `make up` runs it: append and
redemption throughput are then what a real deployment on this disk would see. Always processes,
never containers, even where a Docker engine exists: the CPU split reads the servers' pids.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.diagnostics import CpuSplit
from deploy.local.kafka import KafkaBroker
from deploy.local.postgres import PostgresServer
from eventkit.kafka_access import KafkaAccess
from tests.support.infrastructure import (
    KafkaEndpoint,
    PostgresEndpoint,
    scratch_folder,
    start_kafka,
    start_postgres,
)
from tests.support.services import Keys


@dataclass(frozen=True)
class Servers:
    """Where the run's PostgreSQL server and Kafka broker listen, and the run's token issuer."""

    root: Path
    postgres: PostgresEndpoint
    kafka: KafkaEndpoint
    processes: tuple[PostgresServer, KafkaBroker]

    @property
    def admin(self) -> KafkaAccess:
        """The broker's super user: the benchmarks' own topics and readers."""
        return self.kafka.admin

    def env(self, user: str) -> dict[str, str]:
        """`PANA_KAFKA_*` for a service process connecting as `user`."""
        return self.kafka.access(user).env()

    def url(self, database: str) -> str:
        return self.postgres.url(database)

    def cpu(self) -> CpuSplit:
        """CPU time so far of this process, the PostgreSQL server and the Kafka broker."""
        postgres, kafka = (server.process.pid() for server in self.processes)
        assert postgres is not None, "the PostgreSQL server runs for the whole run"
        assert kafka is not None, "the Kafka broker runs for the whole run"
        return CpuSplit.now(postgres, kafka)


def issuer(secrets: dict[str, str]) -> Keys:
    """Tokens from the local issuer that `deploy.local.secrets` wrote (its JWKS path given)."""
    jwks = Path(secrets["PANA_AUTH_JWKS_PATH"])
    return Keys(jwks.parent / "signing-key.pem", jwks)


@contextlib.contextmanager
def servers() -> Iterator[Servers]:
    """Start PostgreSQL and Kafka; stop them and remove their data afterwards."""
    with scratch_folder("pana-bench-") as root:
        postgres, pg_server = start_postgres(root / "postgres", where="local", durable=True)
        try:
            kafka, broker = start_kafka(root / "kafka", where="local")
            try:
                assert isinstance(pg_server, PostgresServer), "always a local process"
                assert isinstance(broker, KafkaBroker), "always a local process"
                yield Servers(root, postgres, kafka, (pg_server, broker))
            finally:
                broker.stop()
        finally:
            assert pg_server is not None
            pg_server.stop()
