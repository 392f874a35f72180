"""Composition root of the indicators service: logframes, read models, consumers, routes."""

from __future__ import annotations

from pathlib import Path

import asyncpg
from fastapi import FastAPI
from pydantic import Field

from access.fastapi import use_verifier
from access.settings import TokenSettings
from contracts.topics import CASES, PARTICIPANTS, REFERRALS, VOUCHERS
from eventkit.consumer import ConsumerRunner
from eventkit.schema import CONSUMER_DDL
from eventkit.service import Worker, WorkerFactory, create_service_app
from eventkit.settings import ServiceSettings
from services.indicators import read_model
from services.indicators.api import attainment_router
from services.indicators.catalog import Catalog
from services.indicators.dashboard import dashboard_router
from services.indicators.live import live_router
from services.indicators.logframe import DEFAULT_DIRECTORY, Logframe, load_directory
from services.indicators.projection import MAX_BATCH, AttainmentProjection
from services.indicators.reading import AttainmentReader


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
    source_topics: list[str] = Field(
        default_factory=lambda: [t.name for t in (PARTICIPANTS, CASES, REFERRALS, VOUCHERS)],
        description="Topics to project (JSON list); tests point it at their own topics.",
    )


def _consumer_factory(logframe: Logframe, settings: IndicatorsSettings) -> WorkerFactory:
    def build(pool: asyncpg.Pool, _: ServiceSettings) -> Worker:
        return ConsumerRunner(
            pool,
            settings.kafka_bootstrap_servers,
            consumer=read_model.consumer_of(logframe, settings.consumer_prefix),
            topics=settings.source_topics,
            projection=AttainmentProjection(logframe),
            max_batch=MAX_BATCH,
        )

    return build


def create_app(settings: IndicatorsSettings | None = None) -> FastAPI:
    """Build the indicators API: every logframe version found is projected and served."""
    settings = settings or IndicatorsSettings()
    catalog = Catalog(load_directory(settings.logframes_dir), settings.default_logframe)
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
            attainment_router(catalog, reader),
            live_router(catalog, reader, consumers),
            dashboard_router(),
        ),
        workers=[_consumer_factory(lf, settings) for lf in catalog.logframes.values()],
        title="Pana indicators",
        description=(
            "Live logframe attainment computed from every event stream; dashboard and exports."
        ),
    )
    app.state.settings = settings
    use_verifier(app, TokenSettings().verifier())
    return app
