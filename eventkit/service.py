"""The runtime every service shares: logs, tracing, database, topics, relay, probes, metrics.

What the platform adds on top (audit, break-glass grants: `access.platform`) comes in as an
`Extension` from each service's composition root (`services/<svc>/app.py`), so this package
knows nothing of access control.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import asyncpg
import structlog
import uvicorn
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from starlette.types import Scope

from contracts.topics import ALL_TOPICS
from eventkit import collector
from eventkit.backpressure import BoundedPool, keep_session, report_outages
from eventkit.clock import Now, utc_now
from eventkit.edge import Edge
from eventkit.holds import address
from eventkit.idempotency import IdempotencyKeyReused
from eventkit.logs import configure_logging
from eventkit.metrics import metrics_router
from eventkit.offline_docs import serve_docs_offline
from eventkit.outbox_pressure import OutboxPressure, backlog_refusal
from eventkit.read_your_writes import after_events
from eventkit.readiness import Check, database_check, health_router, kafka_check
from eventkit.relay import OutboxRelay
from eventkit.schema import (
    MIGRATION_LOCK,
    MIGRATION_LOCK_TIMEOUT,
    STORE_DDL,
    grant_service_role,
    lacks_grants,
    migrate_changed,
    schema_digest,
)
from eventkit.settings import ServiceSettings
from eventkit.store import ConcurrencyConflict, Connection, init_connection
from eventkit.telemetry import configure_tracing, tracing_installed
from eventkit.topics import ensure_topics

log = structlog.get_logger("eventkit.service")


class Worker(Protocol):
    """A background loop owned by the service process (relay, consumer runner, scheduler).

    A worker with a `name` and an async `check` (raising while it is not done yet) is part of
    the process's readiness (`/readyz`), as the database and Kafka are.
    """

    async def run(self) -> None: ...
    def stop(self) -> None: ...


WorkerFactory = Callable[[asyncpg.Pool, ServiceSettings], Worker]

RoleGrant = Callable[[Connection, str], Awaitable[None]]
"""Gives the service's database role (named) what it may use of tables the owner created."""


async def _by_address(_: FastAPI, scope: Scope) -> str:
    return address(scope)


@dataclass(frozen=True)
class Extension:
    """What a platform layer adds to every service app: its tables (`ddl`, created before the
    service's own), the privileges the service's role gets on them, workers that run beside the
    service's, `install` (routes, exception handlers) and whom a slow client counts as."""

    ddl: Sequence[str] = ()
    role_grants: Sequence[RoleGrant] = ()
    workers: Sequence[WorkerFactory] = ()
    install: Callable[[FastAPI], None] | None = None
    client_of: Callable[[FastAPI, Scope], Awaitable[str]] | None = None


class _Setup:
    """Migrations and topic creation, retried until both succeed (dependencies may start later)."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        settings: ServiceSettings,
        ddl: Sequence[str],
        role_grants: Sequence[RoleGrant],
    ) -> None:
        self.pool, self.settings, self.ddl, self.role_grants = pool, settings, ddl, role_grants
        self.done = asyncio.Event()
        self.last_error = "not attempted yet"

    async def run(self) -> None:
        while not self.done.is_set():
            try:
                owner_url = self.settings.database_owner_url
                if owner_url is None:  # development and tests: one role does both
                    async with self.pool.acquire() as conn:
                        await migrate_changed(conn, self.ddl, schema_digest(self.ddl))
                else:
                    role = str(await self.pool.fetchval("SELECT current_user"))
                    await migrate_as_owner(owner_url, self.ddl, role, self.role_grants)
                await ensure_topics(self.settings.kafka, ALL_TOPICS)
                self.done.set()
                log.info("service.setup_done")
            except Exception as exc:  # retried: PostgreSQL or Kafka may come up later
                self.last_error = f"{type(exc).__name__}: {exc}"[:200]
                await asyncio.sleep(1.0)

    async def check(self) -> None:
        if not self.done.is_set():
            raise RuntimeError(f"schema and topics not ready ({self.last_error})")


async def migrate_as_owner(
    owner_url: str, ddl: Sequence[str], service_role: str, role_grants: Sequence[RoleGrant] = ()
) -> None:
    """Run `ddl` as the schema's owner (`owner_url`, a short-lived connection), then give the
    service's role `service_role` the data only: it owns no table, cannot alter one or disable
    a trigger; each of `role_grants` adds what an extension allows (the audit tables only
    through their functions). Nothing runs when this schema was applied for this role already
    (`eventkit.schema.migrate_changed`), except the grants when a table the role cannot read has
    appeared since (a read model the owner rebuilt)."""

    async def grant(conn: Connection) -> None:
        await grant_service_role(conn, service_role)
        for each in role_grants:
            await each(conn, service_role)
        await conn.execute(f'REVOKE ALL ON schema_applied FROM "{service_role}"')

    grants = (f"{g.__module__}.{g.__qualname__}" for g in role_grants)
    digest = schema_digest(ddl, service_role, *grants)
    conn = await asyncpg.connect(owner_url)
    try:
        if not await migrate_changed(conn, ddl, digest, grant) and await lacks_grants(
            conn, service_role
        ):
            async with conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
                await conn.execute(f"SET LOCAL lock_timeout = '{MIGRATION_LOCK_TIMEOUT}'")
                await grant(conn)
    finally:
        await conn.close()


async def _after(ready: asyncio.Event, worker: Worker) -> None:
    # Workers start once tables and topics exist: a consumer subscribing to a topic not created
    # yet would not see it until its next metadata refresh (minutes).
    await ready.wait()
    await worker.run()


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter] = (),
    ddl: Sequence[str] = (STORE_DDL,),
    relay: bool = True,
    workers: Sequence[WorkerFactory] = (),
    copies: Sequence[str] = (),
    extensions: Sequence[Extension] = (),
    clock: Now = utc_now,
) -> FastAPI:
    """A FastAPI app with the shared plumbing; the service adds its own routers.

        With `relay=True` the process also runs the outbox relay of its database; replicas elect
        one publisher among themselves (see `eventkit.relay`). Each of `workers` is built once the
        pool exists and runs until shutdown, when it is stopped and awaited (drained). `copies`
        names the consumers keeping this service's copy of another's events: every route honours
        `Pana-After` by waiting for them (`eventkit.read_your_writes`). `extensions` (the access
        layer's audit and grants, `access.platform.access_extension`) add their tables first.
    `clock` is what routes get as `eventkit.dependencies.Clock` (tests inject a fixed one).
    """
    ddl = (*(d for e in extensions for d in e.ddl), *ddl)
    role_grants = tuple(g for e in extensions for g in e.role_grants)
    extra_workers = tuple(w for e in extensions for w in e.workers)
    client_ofs = [e.client_of for e in extensions if e.client_of is not None]
    client_of = client_ofs[0] if client_ofs else _by_address
    collector.tune()
    configure_logging(settings.service_name, settings.log_level)
    configure_tracing(
        settings.service_name,
        settings.otel_exporter,
        settings.otel_endpoint,
        settings.otel_sample_ratio,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # min_size=0: the process starts (and /healthz answers) while PostgreSQL is down.
        pool = BoundedPool(
            settings.database_url,
            connection_class=asyncpg.Connection,
            record_class=asyncpg.Record,
            max_queries=50_000,
            max_inactive_connection_lifetime=300.0,
            loop=None,
            min_size=0,
            max_size=settings.database_pool_size,
            init=init_connection,
            reset=keep_session,
            command_timeout=settings.database_command_timeout_seconds,
            timeout=settings.database_command_timeout_seconds,  # connecting
        )
        pool.acquire_timeout = settings.database_command_timeout_seconds
        await pool  # connects min_size connections (none): the process starts without PostgreSQL
        app.state.pool = pool
        app.state.settings = settings
        setup = _Setup(pool, settings, ddl, role_grants)
        app.state.setup = setup
        running: list[Worker] = [factory(pool, settings) for factory in workers]
        running += [factory(pool, settings) for factory in extra_workers]
        if relay:
            pressure = OutboxPressure(pool, settings.outbox_backlog_limit)
            app.state.outbox_pressure = pressure
            running.append(pressure)
            running.append(
                OutboxRelay(
                    settings.database_url,
                    settings.kafka,
                    source=f"/pana/{settings.service_name}",
                )
            )
        app.state.workers = running
        tasks = [asyncio.create_task(setup.run())]
        tasks += [asyncio.create_task(_after(setup.done, worker)) for worker in running]
        timeout = settings.readiness_timeout_seconds
        checks: dict[str, Check] = {
            "database": database_check(pool),
            "kafka": kafka_check(settings.kafka, timeout),
            "setup": setup.check,
        }
        for worker in running:
            check = getattr(worker, "check", None)
            if check is not None:
                checks[str(getattr(worker, "name", type(worker).__name__))] = check
        app.include_router(health_router(checks, timeout))
        collector.freeze_start_up()
        try:
            yield
        finally:
            for worker in running:
                worker.stop()
            for task in tasks[:1] + [t for t in tasks[1:] if not setup.done.is_set()]:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*tasks)
            await pool.close()

    app = FastAPI(
        title=title,
        description=description,
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    serve_docs_offline(app)
    for extension in extensions:
        if extension.install is not None:
            extension.install(app)
    report_outages(app)
    document_refusals(app)
    app.add_exception_handler(ConcurrencyConflict, _conflict)
    app.add_exception_handler(IdempotencyKeyReused, _key_reused)
    app.state.copies = tuple(copies)
    app.state.clock = clock
    for router in routers:
        app.include_router(router, dependencies=[Depends(after_events)] if copies else None)
    app.include_router(metrics_router())
    app.add_middleware(
        Edge,
        service=settings.service_name,
        max_in_flight=settings.max_in_flight_requests,
        max_body_bytes=settings.max_request_body_bytes,
        carry_trace_context=not tracing_installed(),
        refuse_commands=lambda: backlog_refusal(
            getattr(app.state, "outbox_pressure", None), "POST"
        ),
        body_timeout=settings.request_body_timeout_seconds,
        max_bodies_per_client=settings.max_bodies_per_client,
        max_waiting=settings.max_waiting_requests,
        max_waiting_per_client=settings.max_waiting_per_client,
        client_of=lambda scope: client_of(app, scope),
    )
    if tracing_installed():
        FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz,metrics")
    return app


REFUSAL_SCHEMA: dict[str, Any] = {
    "title": "Refusal",
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {
            "anyOf": [
                {"type": "array", "items": {"$ref": "#/components/schemas/ValidationError"}},
                {
                    "type": "object",
                    "required": ["rule", "message"],
                    "properties": {"rule": {"type": "string"}, "message": {"type": "string"}},
                },
                {"type": "string"},
            ]
        }
    },
}


def document_refusals(app: FastAPI) -> None:
    """Describe every 422 as what it is: invalid input, or a rule refusing the command."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            schema.setdefault("components", {}).setdefault("schemas", {})["Refusal"] = (
                REFUSAL_SCHEMA
            )
            for operations in schema.get("paths", {}).values():
                for operation in operations.values():
                    answer = operation.get("responses", {}).get("422")
                    if answer is not None:
                        answer["description"] = "Invalid input, or a rule refused the command"
                        answer["content"] = {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Refusal"}}
                        }
        return app.openapi_schema or build()

    app.openapi = openapi  # type: ignore[method-assign]


async def _conflict(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ConcurrencyConflict)
    return JSONResponse({"detail": str(exc), "current_version": exc.actual}, status_code=409)


async def _key_reused(_: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=422)


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
