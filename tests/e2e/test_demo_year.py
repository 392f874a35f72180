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
PARTICIPANTS = 2000


@pytest.fixture
def stack(state_root: Path) -> Iterator[LocalStack]:
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
    up = subprocess.run([sys.executable, "-m", "deploy.local.stack", "up"], env=env, cwd=ROOT,
                        capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert up.returncode == 0, up.stderr
    yield stack
    subprocess.run([sys.executable, "-m", "deploy.local.stack", "down"], env=env, cwd=ROOT,
                   capture_output=True, timeout=120, check=False)  # fmt: skip


async def _figures(client: httpx.AsyncClient) -> dict[str, object]:
    answer = await client.get("/attainment", params={"logframe": "pana_peru_demo_v1"})
    answer.raise_for_status()
    return {item["id"]: item["value"] for item in answer.json()["indicators"]}


async def test_a_demo_year_shows_on_the_dashboard_exactly(stack: LocalStack) -> None:
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

    token = issue_token(load_key(key), {"sub": "me", "org": "ngo", "role": "me_officer"})
    async with httpx.AsyncClient(
        base_url=stack.url("indicators"), headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as me:
        seen: dict[str, object] = {}
        for _ in range(900):  # until the projection caught up: a condition, bounded (3 min)
            seen = await _figures(me)
            if seen == want:
                break
            await asyncio.sleep(0.2)
    assert seen == want
    assert want["DIRECT"] > PARTICIPANTS // 2
