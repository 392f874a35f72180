"""Shed load and report outages clearly: 503 with Retry-After, never a hang or a 500.

- A bounded number of requests is handled at once per process; the next ones get 503 at once,
  so a slow database can't make the process queue work until memory runs out.
- A database that is down, refuses connections or answers too slowly (the pool's command
  timeout) turns into 503 with `Retry-After`: the client retries later with its idempotency key.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import asyncpg
import structlog
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

log = structlog.get_logger("eventkit.backpressure")

DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.QueryCanceledError,
    asyncpg.TooManyConnectionsError,
    asyncpg.CannotConnectNowError,
)


def unavailable(detail: str, retry_after: int) -> JSONResponse:
    return JSONResponse(
        {"detail": detail}, status_code=503, headers={"Retry-After": str(retry_after)}
    )


def shed_load(app: FastAPI, max_in_flight: int) -> None:
    """Answer 503 at once when `max_in_flight` requests are already being handled."""
    slots = asyncio.Semaphore(max_in_flight)

    @app.middleware("http")
    async def limit(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if request.url.path in ("/healthz", "/readyz", "/metrics"):
            return await call_next(request)
        if slots.locked():
            log.warning("request.shed", path_template=_template(request))
            return unavailable("the service is at capacity; retry shortly", 1)
        async with slots:
            return await call_next(request)


def report_outages(app: FastAPI) -> None:
    """Map a database that can't be reached (or is too slow) to 503 with Retry-After."""

    async def handler(request: Request, exc: Exception) -> Response:
        log.warning("request.database_unavailable", error=type(exc).__name__)
        return unavailable("the database is unavailable; retry shortly", 2)

    for kind in DATABASE_UNAVAILABLE:
        app.add_exception_handler(kind, handler)


def _template(request: Request) -> str:
    return str(getattr(request.scope.get("route"), "path", "unmatched"))
