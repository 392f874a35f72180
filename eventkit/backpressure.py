"""Report outages clearly: 503 with Retry-After, never a hang or a 500 (shedding: `eventkit.edge`).

- A database that is down, refuses connections or answers too slowly (the pool's command
  timeout) turns into 503 with `Retry-After`: the client retries later with its idempotency key.
"""

from __future__ import annotations

from typing import Any

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
    asyncpg.TooManyConnectionsError,
    # Class 57 (operator intervention): a query cancelled by the command timeout, a server
    # starting up or shutting down ("terminating connection due to administrator command").
    asyncpg.exceptions.OperatorInterventionError,
    # A connection left mid-operation by a timeout or a server restart ("cannot switch to
    # state ...; another operation is in progress"): the pool drops it, the client retries.
    asyncpg.InternalClientError,
)


class BoundedPool(asyncpg.Pool):
    """A pool whose `acquire` waits at most `acquire_timeout` seconds by default.

    asyncpg's own default is to wait forever: with PostgreSQL stalled, every request beyond the
    pool's size queued for a connection and no timeout (the command timeout starts only once a
    connection is held) ever answered it. Now such a request gets `TimeoutError`, hence 503.
    """

    acquire_timeout: float = 10.0

    def acquire(self, *, timeout: float | None = None) -> Any:
        return super().acquire(timeout=self.acquire_timeout if timeout is None else timeout)


async def keep_session(conn: asyncpg.Connection) -> None:
    """Release a pooled connection as it is: no reset query (pass as `reset=` to the pool).

    asyncpg's default reset runs `RESET ALL`, `UNLISTEN *`, `CLOSE ALL` and an advisory-unlock
    on every release: one more round trip per acquire. Pooled connections here carry no
    session state (settings are `SET LOCAL`, cursors live inside transactions, advisory locks
    are transaction-scoped; the relay's session lock and LISTEN are on its own connection),
    and asyncpg still rolls back a transaction left open before this runs.
    """


def unavailable(detail: str, retry_after: int) -> JSONResponse:
    return JSONResponse(
        {"detail": detail}, status_code=503, headers={"Retry-After": str(retry_after)}
    )


def report_outages(app: FastAPI) -> None:
    """Map a database that can't be reached (or is too slow) to 503 with Retry-After."""

    async def handler(request: Request, exc: Exception) -> Response:
        log.warning("request.database_unavailable", error=type(exc).__name__)
        return unavailable("the database is unavailable; retry shortly", 2)

    for kind in DATABASE_UNAVAILABLE:
        app.add_exception_handler(kind, handler)
