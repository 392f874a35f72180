"""The composition root every service shares: logs, tracing, database pool, probes, routers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import asyncpg
import uvicorn
from fastapi import APIRouter, FastAPI
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

from eventkit.logs import configure_logging
from eventkit.readiness import database_check, health_router, kafka_check
from eventkit.settings import ServiceSettings
from eventkit.telemetry import configure_tracing


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter] = (),
) -> FastAPI:
    """A FastAPI app with the shared plumbing; the service adds its own routers."""
    configure_logging(settings.service_name, settings.log_level)
    configure_tracing(settings.service_name, settings.otel_exporter, settings.otel_endpoint)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # min_size=0: the process starts (and /healthz answers) even while PostgreSQL is down;
        # /readyz reports it until it is back.
        pool = await asyncpg.create_pool(settings.database_url, min_size=0, max_size=10)
        app.state.pool = pool
        app.state.settings = settings
        timeout = settings.readiness_timeout_seconds
        checks = {
            "database": database_check(pool),
            "kafka": kafka_check(settings.kafka_bootstrap_servers, timeout),
        }
        app.include_router(health_router(checks, timeout))
        try:
            yield
        finally:
            await pool.close()

    app = FastAPI(title=title, description=description, version="0.1.0", lifespan=lifespan)
    for router in routers:
        app.include_router(router)
    FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz")
    return app


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    """Run the app under uvicorn with our logging (uvicorn's own log config is disabled)."""
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
    )
