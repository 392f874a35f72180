"""Composition root of the indicators service."""

from __future__ import annotations

from fastapi import FastAPI

from eventkit.schema import CONSUMER_DDL
from eventkit.service import create_service_app
from eventkit.settings import ServiceSettings


class IndicatorsSettings(ServiceSettings):
    """`PANA_*` settings with this service's local defaults."""

    service_name: str = "indicators"
    port: int = 8004
    database_url: str = "postgresql://postgres@127.0.0.1:5432/pana_indicators"


def create_app(settings: IndicatorsSettings | None = None) -> FastAPI:
    """Build the indicators API."""
    return create_service_app(
        settings or IndicatorsSettings(),
        ddl=(CONSUMER_DDL,),
        relay=False,
        title="Pana indicators",
        description=(
            "Live logframe attainment computed from every event stream; dashboard and exports."
        ),
    )
