"""`make up` / `make down` as a user runs them: separate processes, real Kafka and PostgreSQL; and
a demo program year played through the public APIs of that stack, the dashboard showing exactly
what was sent.

One stack serves the module (starting one is Kafka, PostgreSQL and five services): the tests
run in the order written, each on what the one before left. The first reads what the first
`up` printed and the fresh directories; the demo year then plays on the stack (its figures are
its own: nothing before it writes to the topics it counts); the last takes Kafka away and brings
it back, then stops everything. Each still runs alone (`-k`): the stack is made for it.
"""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import asyncpg
import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient

from access.signing import issue_token, load_key
from contracts.topics import ALL_TOPICS
from deploy.demo.plan import expected, plan_year
from deploy.demo.player import Endpoints, Player
from deploy.local.processes import free_port, port_is_free, wait_until
from deploy.local.stack import IMPORTS, SERVICE_PORTS, LocalStack
from eventkit.kafka_access import KafkaAccess

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
PARTICIPANTS = 1000
"""Half the demo's default (2,000): every indicator of the year still counts somebody (OE3.2,
the rarest, 3), and the play through the APIs, most of the test's time, takes half as long."""


@pytest.fixture(scope="module")
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
    _stack_cli("down", env)  # whatever the tests did, leave nothing running


@pytest.fixture(scope="module")
def first_up(stack_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The module's stack, started by `up` on an empty state folder; what that `up` printed."""
    up = _stack_cli("up", stack_env)
    assert up.returncode == 0, up.stderr
    return up


def _stack_cli(command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deploy.local.stack", command],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def _ready(client: httpx.Client, stack: LocalStack, name: str) -> httpx.Response:
    return client.get(f"{stack.url(name)}/readyz")


def test_up_prints_where_to_look_and_starts_only_what_is_missing(
    first_up: subprocess.CompletedProcess[str], stack_env: dict[str, str]
) -> None:
    up = first_up
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


async def _figures(client: httpx.AsyncClient) -> dict[str, object]:
    answer = await client.get("/attainment", params={"logframe": "pana_peru_demo_v1"})
    answer.raise_for_status()
    return {item["id"]: item["value"] for item in answer.json()["indicators"]}


def _ops(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    pana_ops = Path(sys.executable).parent / "pana-ops"  # the console command, as documented
    return subprocess.run([str(pana_ops), *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip


async def _until_figures(client: httpx.AsyncClient, want: dict[str, int]) -> dict[str, object]:
    seen: dict[str, object] = {}
    for _ in range(900):  # until the projection caught up: a condition, bounded (3 min)
        try:
            seen = await _figures(client)
        except httpx.HTTPError:
            seen = {}
        if seen == want:
            break
        await asyncio.sleep(0.2)
    return seen


@pytest.mark.timeout(600)  # the play is most of it: over 300 s on a loaded shared machine
async def test_a_demo_year_shows_on_the_dashboard_exactly(
    first_up: subprocess.CompletedProcess[str], stack_env: dict[str, str], tmp_path: Path
) -> None:
    stack, env = _stack_from(stack_env), stack_env
    now = datetime.now(UTC)
    people = plan_year(PARTICIPANTS, seed=2023, now=now)
    key = stack.auth_dir / "signing-key.pem"
    player = Player(
        Endpoints(stack.url("cases"), stack.url("referrals"), stack.url("vouchers")),
        key,
        concurrency=16,
    )
    try:
        sent = await player.play(people, now)
    finally:
        await player.close()
    assert sent.acts["participant registered"] == PARTICIPANTS
    want = expected(people)
    assert all(want.values()), want  # every indicator's figure is compared with a count

    token = issue_token(load_key(key), {"sub": "me", "org": "ngo", "role": "me_officer"})
    async with httpx.AsyncClient(
        base_url=stack.url("indicators"), headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as me:
        assert await _until_figures(me, want) == want
        assert want["DIRECT"] > PARTICIPANTS // 2

        # Operators: backlog and lag, audit chains, directories from CSV, a rebuild by replay.
        lag = _ops(env, "lag")
        assert lag.returncode == 0, lag.stderr
        assert "indicators.pana_peru_demo_v1" in lag.stdout
        audit = _ops(env, "verify-audit")
        assert audit.returncode == 0, audit.stdout + audit.stderr
        admin = issue_token(load_key(key), {"sub": "ops", "org": "ngo", "role": "administrator"})
        providers = tmp_path / "providers.csv"
        providers.write_text("name,region,kind,services\nBotica Uno,piura,pharmacy,medicines\n")
        loaded = _ops(env, "load-providers", str(providers), "--token", admin)
        assert "line 2: added Botica Uno" in loaded.stdout, loaded.stdout + loaded.stderr
        units = tmp_path / "units.csv"
        units.write_text("name,destination,region,office,has_system_account\n"
                         "CSMC Castilla,CSMC,piura,Admisión,yes\n")  # fmt: skip
        loaded = _ops(env, "load-units", str(units), "--token", admin)
        assert "line 2: added CSMC Castilla" in loaded.stdout, loaded.stdout + loaded.stderr

        refused = _ops(env, "rebuild", "--logframe", "pana_peru_demo_v1")
        assert refused.returncode == 1
        assert "stop it first" in refused.stderr
        stack.service("indicators").stop()
        rebuilt = _ops(env, "rebuild", "--logframe", "pana_peru_demo_v1")
        assert rebuilt.returncode == 0, rebuilt.stderr
        stack.start_service("indicators")
        stack.wait_ready(["indicators"], 120)
        assert await _until_figures(me, want) == want  # replayed from Kafka: the same figures


def test_a_kafka_outage_then_down(
    first_up: subprocess.CompletedProcess[str], stack_env: dict[str, str]
) -> None:
    stack = _stack_from(stack_env)
    with httpx.Client(timeout=10) as client:
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
