"""Composition root of the cases service."""

from __future__ import annotations

from fastapi import FastAPI

from eventkit.service import create_service_app
from eventkit.settings import ServiceSettings


class CasesSettings(ServiceSettings):
    """`PANA_*` settings with this service's local defaults."""

    service_name: str = "cases"
    port: int = 8001
    database_url: str = "postgresql://postgres@127.0.0.1:5432/pana_cases"


def create_app(settings: CasesSettings | None = None) -> FastAPI:
    """Build the cases API."""
    return create_service_app(
        settings or CasesSettings(),
        title="Pana cases",
        description="Case management: participants, consent, cases, services delivered, outcomes.",
    )
