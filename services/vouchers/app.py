"""Composition root of the vouchers service."""

from __future__ import annotations

from fastapi import FastAPI

from eventkit.service import create_service_app
from eventkit.settings import ServiceSettings


class VouchersSettings(ServiceSettings):
    """`PANA_*` settings with this service's local defaults."""

    service_name: str = "vouchers"
    port: int = 8003
    database_url: str = "postgresql://postgres@127.0.0.1:5432/pana_vouchers"


def create_app(settings: VouchersSettings | None = None) -> FastAPI:
    """Build the vouchers API."""
    return create_service_app(
        settings or VouchersSettings(),
        title="Pana vouchers",
        description=(
            "Health vouchers issued by caseworkers and redeemed by partner clinics; reconciliation."
        ),
    )
