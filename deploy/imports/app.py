"""Composition root of the imports API (`python -m deploy.imports`): settings, the jobs'
database, the token verifier, and the jobs a restart left running, resumed."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic_settings import BaseSettings, SettingsConfigDict

from access.fastapi import use_verifier
from access.settings import TokenSettings
from deploy.imports.api import launch, router
from deploy.imports.importing import check
from deploy.imports.sending import Sender, Signer
from deploy.imports.store import JobStore, open_pool
from eventkit.clock import Now, utc_now


class ImportsSettings(BaseSettings):
    """`PANA_IMPORTS_*`: where the jobs live, where the services answer, the issuer's key."""

    model_config = SettingsConfigDict(env_prefix="PANA_IMPORTS_")
    port: int = 8006
    host: str = "127.0.0.1"  # 0.0.0.0 inside a container or pod network
    database_url: str = "postgresql://postgres@127.0.0.1:5432/pana_imports"
    cases_url: str = "http://127.0.0.1:8001"
    referrals_url: str = "http://127.0.0.1:8002"
    vouchers_url: str = "http://127.0.0.1:8003"
    signing_key_path: Path = Path(".pana/auth/signing-key.pem")
    concurrency: int = 8


def create_app(settings: ImportsSettings | None = None, clock: Now = utc_now) -> FastAPI:
    """The imports API; `clock` is the app's (`eventkit.dependencies.Clock`): the jobs' store
    dates with it and checks rows against it."""
    settings = settings or ImportsSettings()
    tokens = TokenSettings()  # whose tokens the services take: the import's too
    urls = {
        "cases": settings.cases_url,
        "referrals": settings.referrals_url,
        "vouchers": settings.vouchers_url,
    }

    def sender_for(acting: dict[str, Any]) -> Sender:
        signer = Signer(
            settings.signing_key_path,
            acting["subject"],
            acting["organization"],
            list(acting["regions"]),
            tokens.issuer,
            tokens.audience,
        )
        return Sender(urls, signer, settings.concurrency)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = await open_pool(settings.database_url)
        app.state.store = store = JobStore(pool, clock)
        app.state.jobs, app.state.concurrency = set(), settings.concurrency
        app.state.sender_for = sender_for
        for job in await store.running():  # a restart: resume, rows done are skipped
            kind, name, content, acting = await store.content(job)
            sender = sender_for(acting)
            _, checked = await check(store, sender, kind, name, content)
            launch(app.state, job, checked, sender)
        try:
            yield
        finally:
            for task in list(app.state.jobs):
                task.cancel()
            await asyncio.gather(*app.state.jobs, return_exceptions=True)
            await pool.close()

    app = FastAPI(title="Pana imports", lifespan=lifespan)
    app.state.clock = clock
    use_verifier(app, tokens.verifier())
    app.include_router(router)

    @app.get("/healthz", include_in_schema=False)
    async def alive() -> dict[str, str]:
        """The process answers (liveness): restarting it would not help otherwise."""
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False, response_model=None)
    async def ready() -> dict[str, str] | JSONResponse:
        """Ready once the jobs' database answers (an upload needs it at once)."""
        try:
            await app.state.store.pool.fetchval("SELECT 1")
        except Exception as exc:  # not ready, whatever the cause: the probe says why
            return JSONResponse({"status": "not_ready", "reason": repr(exc)[:200]}, 503)
        return {"status": "ready"}

    return app
