"""`make up` / `make down` as a user runs them: separate processes, real Kafka and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import asyncpg
import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient

from access.signing import issue_token, load_key
from contracts.topics import ALL_TOPICS
from deploy.local.processes import free_port, port_is_free, wait_until
from deploy.local.stack import IMPORTS, SERVICE_PORTS, LocalStack
from eventkit.kafka_access import KafkaAccess

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def stack_env(state_root: Path) -> Iterator[dict[str, str]]:
    env = {
        **os.environ,
        "PANA_STATE_DIR": str(state_root / f"stack-{free_port()}"),
        "PANA_KAFKA_PORT": str(free_port()),
        "PANA_KAFKA_CONTROLLER_PORT": str(free_port()),
        "PANA_POSTGRES_PORT": str(free_port()),
        **{f"PANA_{name.upper()}_PORT": str(free_port()) for name in [*SERVICE_PORTS, IMPORTS]},
        "PANA_KEYCLOAK": "0",  # sign-in has its own tests (the keycloak fixture): 25 s saved
    }
    env.pop("DATABASE_URL", None)
    yield env
    _stack_cli("down", env)  # whatever the test did, leave nothing running


def _stack_cli(command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deploy.local.stack", command],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def _ready(client: httpx.Client, stack: LocalStack, name: str) -> httpx.Response:
    return client.get(f"{stack.url(name)}/readyz")


def test_up_ready_kafka_outage_and_down(stack_env: dict[str, str]) -> None:
    up = _stack_cli("up", stack_env)
    assert up.returncode == 0, up.stderr
    stack = _stack_from(stack_env)
    for name in [*SERVICE_PORTS, IMPORTS]:
        assert stack.url(name) in up.stdout  # it prints where to look
    # Kafka's users were made on this first start, readable by their owner only.
    assert "SCRAM-SHA-512" in up.stdout
    assert stat.S_IMODE(stack.kafka.credentials_file.stat().st_mode) == 0o600

    again = _stack_cli("up", stack_env)
    assert again.returncode == 0
    assert "already runs" in again.stdout

    # A new stack is usable at once: a fictional sample directory of clinics and units.
    assert "Sample directory" in up.stdout
    assert _directory_sizes(stack) == (5, 7)

    # One service stopped (the indicators, for a rebuild): `up` starts only what is missing.
    stack.service("indicators").stop(timeout=15)
    partly = _stack_cli("up", stack_env)
    assert partly.returncode == 0, partly.stderr
    assert "starting indicators" in partly.stdout
    assert "Sample directory" not in partly.stdout  # loaded once, on empty directories
    assert _directory_sizes(stack) == (5, 7)

    with httpx.Client(timeout=10) as client:
        for name in [*SERVICE_PORTS, IMPORTS]:
            assert _ready(client, stack, name).status_code == 200, name
            assert client.get(f"{stack.url(name)}/healthz").json() == {"status": "ok"}
            assert client.get(f"{stack.url(name)}/openapi.json").status_code == 200

        assert asyncio.run(_partitions(stack.kafka.admin)) >= {
            (t.name, t.partitions) for t in ALL_TOPICS
        }  # declared in code, created at start-up
        for name in SERVICE_PORTS:  # issue 20: each service's role owns no table
            asyncio.run(_service_role_is_data_only(stack.database_urls(name)["PANA_DATABASE_URL"]))

        stack.kafka.stop()
        for name in SERVICE_PORTS:
            answer = _ready(client, stack, name)
            assert answer.status_code == 503, name
            assert "kafka" in answer.json()["reason"]

        stack.kafka.start()
        for name in SERVICE_PORTS:
            assert wait_until(partial(_is_ready, client, stack, name), 30), name

    down = _stack_cli("down", stack_env)
    assert down.returncode == 0, down.stderr
    assert stack.running() == []
    ports = [stack.kafka_port, stack.kafka_controller_port, stack.postgres_port]
    ports += [*stack.service_ports.values(), stack.imports_port]
    assert all(wait_until(partial(port_is_free, p), 10) for p in ports), ports


async def _service_role_is_data_only(url: str) -> None:
    """The role a service connects as cannot disable the audit triggers nor empty the inbox."""
    conn = await asyncpg.connect(url)
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="must be owner"):
            await conn.execute("ALTER TABLE audit_log DISABLE TRIGGER ALL")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("DELETE FROM audit_inbox")
        assert await conn.fetchval("SELECT count(*) FROM audit_log") >= 0  # reads it
    finally:
        await conn.close()


async def _partitions(bootstrap: KafkaAccess) -> set[tuple[str, int]]:
    admin = AIOKafkaAdminClient(**bootstrap.options())
    await admin.start()
    try:
        described = await admin.describe_topics()
    finally:
        await admin.close()
    return {(t["topic"], len(t["partitions"])) for t in described}


def _is_ready(client: httpx.Client, stack: LocalStack, name: str) -> bool:
    return _ready(client, stack, name).status_code == 200


def _stack_from(env: dict[str, str]) -> LocalStack:
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        return LocalStack.from_env()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _directory_sizes(stack: LocalStack) -> tuple[int, int]:
    """How many providers and receiving units the directories hold (as an administrator)."""
    key = load_key(stack.auth_dir / "signing-key.pem")
    token = issue_token(key, {"sub": "test", "org": "ngo", "role": "administrator"})
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=10) as client:
        providers = client.get(f"{stack.url('vouchers')}/providers").json()
        units = client.get(f"{stack.url('referrals')}/units").json()
    return len(providers), len(units)
