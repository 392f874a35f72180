"""Run a service app over real HTTP in the test's event loop, with real tokens."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from access.signing import issue_token, load_key, write_keys
from deploy.local.processes import free_port


@dataclass
class Keys:
    """A signing key and the JWKS file services verify against."""

    key_path: Path
    jwks_path: Path

    def token(self, role: str, **claims: Any) -> str:
        base: dict[str, Any] = {"sub": f"user-{uuid.uuid4().hex[:8]}", "org": "ngo", "role": role}
        return issue_token(load_key(self.key_path), {**base, **claims})

    def headers(self, role: str, **claims: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role, **claims)}"}


def make_keys(folder: Path) -> Keys:
    key_path, jwks_path = write_keys(folder)
    return Keys(key_path, jwks_path)


@contextlib.contextmanager
def service_environment(keys: Keys) -> Iterator[pytest.MonkeyPatch]:
    """The environment every service under test reads at start: the JWKS file of `keys` and
    fresh personal-data keys; the caller sets whatever else its services need on it."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PANA_AUTH_JWKS_PATH", str(keys.jwks_path))
        for key in ("MASTER_KEY", "BLIND_INDEX_KEY"):
            env.setenv(f"PANA_PERSONAL_DATA_{key}", base64.b64encode(os.urandom(32)).decode())
        yield env


@dataclass
class RunningService:
    url: str
    app: FastAPI
    keys: Keys
    clients: list[httpx.AsyncClient] = field(default_factory=list)

    def client(self, role: str, **claims: Any) -> httpx.AsyncClient:
        """An HTTP client authenticated as a fresh principal of `role`."""
        client = httpx.AsyncClient(
            base_url=self.url, headers=self.keys.headers(role, **claims), timeout=30
        )
        self.clients.append(client)
        return client


@contextlib.asynccontextmanager
async def serve(
    app_factory: Callable[[], FastAPI],
    keys: Keys,
    *,
    port: int | None = None,
    until_ready: bool = True,
) -> AsyncIterator[RunningService]:
    """Start the app (lifespan included) on `port` (default a free one); stop it afterwards.

    Returns once `/readyz` answers 200, or once the server listens if not `until_ready`."""
    port = port or free_port()
    app = app_factory()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    url = f"http://127.0.0.1:{port}"
    running = RunningService(url, app, keys)
    try:
        async with httpx.AsyncClient(base_url=url) as probe:
            for _ in range(600):
                if server.started and not until_ready:
                    break
                if server.started:
                    with contextlib.suppress(httpx.HTTPError):
                        if (await probe.get("/readyz")).status_code == 200:
                            break
                await asyncio.sleep(0.05)
            else:
                raise TimeoutError("the service did not become ready in 30 s")
        yield running
    finally:
        for client in running.clients:
            await client.aclose()
        server.should_exit = True
        await task
