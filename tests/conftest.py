"""Session fixtures: one real Kafka broker and one real PostgreSQL server for the whole run."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from deploy.keycloak.server import KeycloakServer
from deploy.local.processes import free_port
from tests.support.infrastructure import (
    KafkaEndpoint,
    PostgresEndpoint,
    fresh_database,
    scratch_folder,
    start_kafka,
    start_postgres,
)


@pytest.fixture(scope="session")
def state_root() -> Iterator[Path]:
    with scratch_folder("pana-test-") as root:
        yield root


@pytest.fixture(scope="session")
def kafka(state_root: Path) -> Iterator[KafkaEndpoint]:
    endpoint, control = start_kafka(state_root / "kafka")
    yield endpoint
    control.stop()


@pytest.fixture(scope="session")
def postgres(state_root: Path) -> Iterator[PostgresEndpoint]:
    endpoint, control = start_postgres(state_root / "postgres")
    yield endpoint
    if control is not None:
        control.stop()


@pytest.fixture(scope="session")
def keycloak(state_root: Path) -> Iterator[KeycloakServer]:
    """A real Keycloak with the program's realm (deploy/keycloak), started once when a test
    needs it: about 25 s and 0.5 GB, so only the tests of sign-in ask for it. Its start is
    waited for up to 10 minutes: on a loaded 2-core machine it has taken over 3."""
    server = KeycloakServer(state_root / "keycloak", free_port())
    server.start(timeout=600)
    yield server
    server.stop()


@pytest.fixture
async def database(postgres: PostgresEndpoint) -> AsyncIterator[str]:
    """A fresh, empty database for one test; dropped afterwards."""
    async with fresh_database(postgres) as url:
        yield url
