"""Composition root of the referrals service."""

from __future__ import annotations

from fastapi import FastAPI

from eventkit.service import create_service_app
from eventkit.settings import ServiceSettings


class ReferralsSettings(ServiceSettings):
    """`PANA_*` settings with this service's local defaults."""

    service_name: str = "referrals"
    port: int = 8002
    database_url: str = "postgresql://postgres@127.0.0.1:5432/pana_referrals"


def create_app(settings: ReferralsSettings | None = None) -> FastAPI:
    """Build the referrals API."""
    return create_service_app(
        settings or ReferralsSettings(),
        title="Pana referrals",
        description=(
            "Closed-loop referrals to CEM, SIS, CSMC and other services, "
            "answered by the receiving units."
        ),
    )
