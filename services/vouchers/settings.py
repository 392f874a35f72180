"""The vouchers settings (`PANA_*`) and their typed route dependency, `VouchersConfig`."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import Depends
from pydantic import AliasChoices, Field

from eventkit.dependencies import app_settings
from eventkit.settings import ServiceSettings
from program.load import current_program


class VouchersSettings(ServiceSettings):
    """`PANA_*` settings with this service's local defaults."""

    service_name: str = "vouchers"
    port: int = 8003
    database_url: str = "postgresql://postgres@127.0.0.1:5432/pana_vouchers"
    standard_cap: Decimal = Field(
        default=Decimal("300.00"),
        validation_alias=AliasChoices("PANA_STANDARD_CAP", "PANA_STANDARD_CAP_PEN"),
    )
    """Above it a voucher needs a supervisor's approval, in the program's currency.
    `PANA_STANDARD_CAP_PEN` (its old name) is still read when `PANA_STANDARD_CAP` is unset."""
    expiry_interval_seconds: float = 30.0
    program_timezone: str = Field(default_factory=lambda: current_program().timezone)
    """Where the program's days begin and end (reconciliation by date): the program file's."""
    roster_consumer: str = "vouchers.roster"


VouchersConfig = Annotated[VouchersSettings, Depends(app_settings)]
"""The app's settings, typed as this service's."""
