"""The servers every benchmark shares: one PostgreSQL and one Kafka broker for the whole run.

They are started on free ports in a throwaway folder, the way the test harness does, so a run
never touches `make up`'s stack. PostgreSQL runs durable (fsync on), as `make up` runs it:
append and redemption throughput are then what a real deployment on this disk would see.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from bench.diagnostics import CpuSplit
from deploy.local.kafka import KafkaBroker
from deploy.local.postgres import PostgresServer
from deploy.local.processes import free_port
from deploy.local.stack import database_url_for
from eventkit.kafka_access import KafkaAccess


@dataclass(frozen=True)
class Servers:
    """Where the run's PostgreSQL server and Kafka broker listen."""

    root: Path
    postgres: PostgresServer
    kafka: KafkaBroker

    @property
    def bootstrap_servers(self) -> str:
        return self.kafka.bootstrap_servers

    @property
    def admin(self) -> KafkaAccess:
        """The broker's super user: the benchmarks' own topics and readers."""
        return self.kafka.admin

    def env(self, user: str) -> dict[str, str]:
        """`PANA_KAFKA_*` for a service process connecting as `user`."""
        return self.kafka.access(user).env()

    def url(self, database: str) -> str:
        return database_url_for(self.postgres.dsn(), database)

    def cpu(self) -> CpuSplit:
        """CPU time so far of this process, the PostgreSQL server and the Kafka broker."""
        postgres, kafka = self.postgres.process.pid(), self.kafka.process.pid()
        assert postgres is not None, "the PostgreSQL server runs for the whole run"
        assert kafka is not None, "the Kafka broker runs for the whole run"
        return CpuSplit.now(postgres, kafka)


@contextlib.contextmanager
def servers() -> Iterator[Servers]:
    """Start PostgreSQL and Kafka; stop them and remove their data afterwards."""
    root = Path(tempfile.mkdtemp(prefix="pana-bench-"))
    root.chmod(0o755)  # under root PostgreSQL runs as `postgres`, which must enter the folder
    postgres = PostgresServer(root / "postgres", port=free_port(), durable=True)
    kafka = KafkaBroker(root / "kafka", port=free_port(), controller_port=free_port())
    try:
        postgres.start()
        kafka.start()
        yield Servers(root, postgres, kafka)
    finally:
        kafka.stop()
        postgres.stop()
        shutil.rmtree(root, ignore_errors=True)


@contextlib.asynccontextmanager
async def fresh_database(found: Servers, prefix: str) -> AsyncIterator[str]:
    """A new, empty database on the run's server; its URL. Dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(found.url("postgres"))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield found.url(name)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()
