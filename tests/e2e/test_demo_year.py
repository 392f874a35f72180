"""A demo program year through the public APIs: the dashboard shows exactly what was sent."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from access.signing import issue_token, load_key
from deploy.demo.plan import expected, plan_year
from deploy.demo.player import Endpoints, Player
from deploy.local.processes import free_port
from deploy.local.stack import SERVICE_PORTS, LocalStack

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
PARTICIPANTS = 1000
"""Half the demo's default (2,000): every indicator of the year still counts somebody (OE3.2,
the rarest, 3), and the play through the APIs, most of the test's time, takes half as long."""


@pytest.fixture
def running(state_root: Path) -> Iterator[tuple[LocalStack, dict[str, str]]]:
    stack = LocalStack(
        state_dir=state_root / f"demo-{free_port()}",
        kafka_port=free_port(),
        kafka_controller_port=free_port(),
        postgres_port=free_port(),
        service_ports={name: free_port() for name in SERVICE_PORTS},
    )
    env = {**os.environ, "PANA_STATE_DIR": str(stack.state_dir)}
    env |= {"PANA_KAFKA_PORT": str(stack.kafka_port),
            "PANA_KAFKA_CONTROLLER_PORT": str(stack.kafka_controller_port),
            "PANA_POSTGRES_PORT": str(stack.postgres_port)}  # fmt: skip
    env |= {f"PANA_{n.upper()}_PORT": str(p) for n, p in stack.service_ports.items()}
    env.pop("DATABASE_URL", None)
    env["PANA_KEYCLOAK"] = "0"  # the demo plays through the APIs with the local issuer's tokens
    up = subprocess.run([sys.executable, "-m", "deploy.local.stack", "up"], env=env, cwd=ROOT,
                        capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert up.returncode == 0, up.stderr
    yield stack, env
    subprocess.run([sys.executable, "-m", "deploy.local.stack", "down"], env=env, cwd=ROOT,
                   capture_output=True, timeout=120, check=False)  # fmt: skip


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


async def test_a_demo_year_shows_on_the_dashboard_exactly(
    running: tuple[LocalStack, dict[str, str]], tmp_path: Path
) -> None:
    stack, env = running
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
