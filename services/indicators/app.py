"""Composition root of the indicators service: logframes, read models, consumers, routes."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import asyncpg
import structlog
from fastapi import FastAPI
from pydantic import Field

from access.fastapi import use_verifier
from access.platform import access_extension
from access.settings import TokenSettings
from contracts.topics import CASES, PARTICIPANTS, REFERRALS, VOUCHERS
from eventkit.clock import Now, utc_now
from eventkit.consumer import ConsumerRunner
from eventkit.schema import CONSUMER_DDL
from eventkit.service import Worker, WorkerFactory, create_service_app
from eventkit.settings import ServiceSettings
from program.load import current_program
from services.indicators import read_model
from services.indicators.api import attainment_router
from services.indicators.catalog import Catalog
from services.indicators.dashboard import dashboard_router
from services.indicators.live import live_router
from services.indicators.logframe import (
    DEFAULT_DIRECTORY,
    Logframe,
    load_directory,
    r4v_ids_unused,
)
from services.indicators.projection import MAX_BATCH, MAX_BATCH_MS, AttainmentProjection
from services.indicators.reading import AttainmentReader

log = structlog.get_logger("indicators")


class IndicatorsSettings(ServiceSettings):
    """`PANA_*` settings with this service's local defaults."""

    service_name: str = "indicators"
    port: int = 8004
    database_url: str = "postgresql://postgres@127.0.0.1:5432/pana_indicators"
    logframes_dir: Path = DEFAULT_DIRECTORY
    default_logframe: str = "pana_peru_y2_v1"
    consumer_prefix: str = "indicators"
    public_aggregates: bool = Field(
        default=True, description="Anonymous callers may read suppressed aggregates."
    )
    catch_up_after: int = Field(
        default=10 * MAX_BATCH,
        description="Records behind at start-up beyond which a read model catches up as a "
        "replay: partial figures said so, not ready (default version), recounts deferred.",
    )
    source_topics: list[str] = Field(
        default_factory=lambda: [t.name for t in (PARTICIPANTS, CASES, REFERRALS, VOUCHERS)],
        description="Topics to project (JSON list); tests point it at their own topics.",
    )


def _consumer_factory(
    logframe: Logframe, settings: IndicatorsSettings, *, default: bool
) -> WorkerFactory:
    """The version's consumer; while the default version replays (or catches up from far
    behind) or waits for its partitions, the service is not ready."""

    def build(pool: asyncpg.Pool, _: ServiceSettings) -> Worker:
        consumer = read_model.consumer_of(logframe, settings.consumer_prefix)
        return ConsumerRunner(
            pool,
            settings.kafka,
            consumer=consumer,
            topics=settings.source_topics,
            projection=AttainmentProjection(logframe, consumer),
            max_batch=MAX_BATCH,
            max_poll_interval_ms=MAX_BATCH_MS,
            ready_while_replaying=not default,
            catch_up_after=settings.catch_up_after,
        )

    return build


class WarmUp:
    """Reads the default logframe version's unfiltered figures at start-up (ready once read),
    then those of the versions given beside it (the current one, which dashboards open on).

    The figures live in PostgreSQL (`counted_state`): nothing is loaded into memory, so this
    takes about the time it takes to connect and read a published period's kept cells. It
    still waits for the database (which may come later), so a rolling restart keeps the old
    process serving until the new one answers.
    """

    name = "read_model"

    def __init__(
        self, reader: AttainmentReader, pool: asyncpg.Pool, logframe: Logframe, *also: Logframe
    ) -> None:
        self.reader, self.pool, self.logframe = reader, pool, logframe
        self.also = [lf for lf in also if lf.key != logframe.key]
        self._done = asyncio.Event()
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        while not self._done.is_set() and not self._stopping.is_set():
            try:
                await self.reader.warm(self.pool, self.logframe)
                self._done.set()
            except Exception as exc:  # the database may come later: try again
                log.warning("indicators.warm_up_failed", error=repr(exc)[:300])
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), 1.0)
        for other in self.also:  # once ready: readiness waits for the default version only
            if self._stopping.is_set():
                return
            try:
                await self.reader.warm(self.pool, other)
            except Exception as exc:  # its first reader reads it then, as before
                log.warning("indicators.warm_up_failed", logframe=other.key, error=repr(exc)[:300])

    def stop(self) -> None:
        self._stopping.set()

    async def check(self) -> None:
        if not self._done.is_set():
            raise RuntimeError(f"still loading {self.logframe.key} (its first read)")


def _current(catalog: Catalog, clock: Now) -> Logframe:
    """The version a dashboard opens on today by the app's clock (`Catalog.current`, the
    program's time zone)."""
    return catalog.get(catalog.current(clock().astimezone(catalog.get(None).zone).date()))


def create_app(settings: IndicatorsSettings | None = None, clock: Now = utc_now) -> FastAPI:
    """Build the indicators API: every logframe version found is projected and served. `clock`
    is the app's (`eventkit.dependencies.Clock`): today's figures and the version read at
    start-up follow it."""
    settings = settings or IndicatorsSettings()
    current_program()  # a broken program file (PANA_PROGRAM_FILE) stops start-up
    catalog = Catalog(load_directory(settings.logframes_dir), settings.default_logframe)
    if unused := r4v_ids_unused(catalog.logframes.values()):
        # ids are shared by a program's logframes: phase I lacks some of phase II's indicators
        log.warning("indicators.r4v_ids_unused", ids=unused)
    reader = AttainmentReader()
    consumers = {
        key: read_model.consumer_of(lf, settings.consumer_prefix)
        for key, lf in catalog.logframes.items()
    }
    app = create_service_app(
        settings,
        ddl=(CONSUMER_DDL, *(read_model.ddl(lf) for lf in catalog.logframes.values())),
        relay=False,
        routers=(
            attainment_router(catalog, reader, consumers),
            live_router(catalog, reader, consumers),
            dashboard_router(catalog),
        ),
        workers=[
            *(
                _consumer_factory(lf, settings, default=key == catalog.default)
                for key, lf in catalog.logframes.items()
            ),
            lambda pool, _: WarmUp(reader, pool, catalog.get(None), _current(catalog, clock)),
        ],
        title="Pana indicators",
        description=(
            "Live logframe attainment computed from every event stream; dashboard and exports."
        ),
        extensions=[access_extension()],
        clock=clock,
    )
    app.state.settings = settings
    app.state.reader = reader
    use_verifier(app, TokenSettings().verifier())
    return app
