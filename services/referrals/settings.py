"""The referrals settings (`PANA_*`) and their typed route dependency, `ReferralsConfig`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from pydantic import Field

from eventkit.dependencies import app_settings
from eventkit.settings import ServiceSettings


class ReferralsSettings(ServiceSettings):
    """`PANA_*` settings with this service's local defaults."""

    service_name: str = "referrals"
    port: int = 8002
    database_url: str = "postgresql://postgres@127.0.0.1:5432/pana_referrals"
    referral_deadline_hours: dict[str, float] = Field(
        default_factory=dict, description='overrides, e.g. {"<DESTINATION>/urgent": 12}'
    )
    overdue_interval_seconds: float = 60.0
    consent_consumer: str = "referrals.consent"
    roster_consumer: str = "referrals.roster"
    metrics_min_cell: int = Field(5, ge=1)


ReferralsConfig = Annotated[ReferralsSettings, Depends(app_settings)]
"""The app's settings, typed as this service's."""
