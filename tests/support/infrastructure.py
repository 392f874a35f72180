"""One fixture API over real Kafka and PostgreSQL, whichever way they are provided.

Where a Docker engine exists, testcontainers runs `apache/kafka` and `postgres` images. Where
none does (testcontainers raises `DockerException` already in the container constructor), the
local harness of `deploy/local` starts the same software as processes on free ports.
`PANA_TEST_INFRA=local|containers` forces one path; `DATABASE_URL` uses a running server.
The benchmarks (`bench/`) start the same servers through these functions, always as local
processes (`where="local"`): their figures are this machine's.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import asyncpg

from deploy.local.kafka import KafkaBroker
from deploy.local.postgres import PostgresServer
from deploy.local.processes import free_port
from deploy.local.stack import database_url_for
from eventkit.kafka_access import KafkaAccess

KAFKA_IMAGE = "apache/kafka:4.1.1"
POSTGRES_IMAGE = "postgres:16"


class Stoppable(Protocol):
    def start(self) -> None: ...
    def stop(self) -> None: ...


@dataclass
class KafkaEndpoint:
    """A reachable broker; `stop()`/`start()` take it away and bring it back on the same port.

    The local broker requires SCRAM (as every deployment does): `admin` is the super user for
    test topics and readers, `access(name)` a principal of `deploy/kafka_principals.py` with
    its ACLs, `settings(service)` that principal as `ServiceSettings` keyword arguments.
    """

    bootstrap_servers: str
    kind: str
    _control: Stoppable
    _access: Callable[[str], KafkaAccess] | None = None

    @property
    def authenticated(self) -> bool:
        """True when the broker refuses anonymous clients (the local broker)."""
        return self._access is not None

    def access(self, user: str) -> KafkaAccess:
        """How `user` (a service, `admin` or `reader`) connects."""
        if self._access is None:  # a container broker: open to anyone
            return KafkaAccess(self.bootstrap_servers)
        return self._access(user)

    @property
    def admin(self) -> KafkaAccess:
        return self.access("admin")

    def settings(self, service: str) -> dict[str, Any]:
        """`ServiceSettings` keyword arguments: the broker and `service`'s own principal."""
        return self.access(service).settings()

    def stop(self) -> None:
        self._control.stop()

    def start(self) -> None:
        self._control.start()


@dataclass
class PostgresEndpoint:
    """A reachable server; `url(db)` names a database on it."""

    server_url: str
    kind: str
    _control: Stoppable | None

    def url(self, database: str = "postgres") -> str:
        return database_url_for(self.server_url, database)


@contextlib.contextmanager
def scratch_folder(prefix: str) -> Iterator[Path]:
    """A throwaway folder for servers' data and logs; removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    root.chmod(0o755)  # under root PostgreSQL runs as `postgres`, which must enter the folder
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextlib.asynccontextmanager
async def fresh_database(postgres: PostgresEndpoint, prefix: str = "t") -> AsyncIterator[str]:
    """A new, empty database on the server; its URL. Dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(postgres.url("postgres"))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield postgres.url(name)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def _wanted(where: str | None) -> str:
    return where or os.environ.get("PANA_TEST_INFRA", "auto")


def _docker_error(exc: Exception) -> bool:
    return type(exc).__name__ == "DockerException" or "docker" in type(exc).__module__


class _Container:
    def __init__(self, container: object) -> None:
        self._container = container

    def stop(self) -> None:
        self._container.get_wrapped_container().stop()  # type: ignore[attr-defined]

    def start(self) -> None:
        self._container.get_wrapped_container().start()  # type: ignore[attr-defined]


def _started_container(where: str | None, make: Callable[[], Any]) -> Any | None:
    """`make()`'s container, started; None where no Docker engine answers and none is required."""
    if _wanted(where) not in ("auto", "containers"):
        return None
    try:
        container = make()
        container.start()
        return container
    except Exception as exc:
        if _wanted(where) == "containers" or not _docker_error(exc):
            raise
        return None


def _kafka_container() -> Any:
    from testcontainers.community.kafka import KafkaContainer

    return KafkaContainer(KAFKA_IMAGE).with_kraft()


def _postgres_container() -> Any:
    from testcontainers.community.postgres import PostgresContainer

    return PostgresContainer(POSTGRES_IMAGE, driver=None)


def start_kafka(
    state_dir: Path | None = None, where: str | None = None
) -> tuple[KafkaEndpoint, Stoppable]:
    """A broker for the test session; returns it and what to stop at the end.

    `where` (`local`, `containers`, `auto`) overrides `PANA_TEST_INFRA`.
    """
    container = _started_container(where, _kafka_container)
    if container is not None:
        control = _Container(container)
        return KafkaEndpoint(container.get_bootstrap_server(), "container", control), control
    broker = KafkaBroker(
        state_dir or Path(tempfile.mkdtemp(prefix="pana-kafka-")),
        port=free_port(),
        controller_port=free_port(),
    )
    broker.start()
    return KafkaEndpoint(broker.bootstrap_servers, "local", broker, broker.access), broker


def start_postgres(
    state_dir: Path | None = None, where: str | None = None, durable: bool = False
) -> tuple[PostgresEndpoint, Stoppable | None]:
    """A server for the test session: `DATABASE_URL`, a container, or a throwaway cluster.

    `where` overrides `PANA_TEST_INFRA` and `DATABASE_URL`. Test clusters run with `fsync=off`
    for speed; `durable=True` keeps fsync on, as `make up` runs it (the benchmarks' choice).
    """
    if where is None and os.environ.get("DATABASE_URL"):
        return PostgresEndpoint(os.environ["DATABASE_URL"], "external", None), None
    container = _started_container(where, _postgres_container)
    if container is not None:
        control = _Container(container)
        return PostgresEndpoint(container.get_connection_url(), "container", control), control
    if state_dir is None:
        state_dir = Path(tempfile.mkdtemp(prefix="pana-pg-"))
        state_dir.chmod(0o755)
    server = PostgresServer(state_dir, port=free_port(), durable=durable)
    server.start()
    return PostgresEndpoint(server.dsn(), "local", server), server
