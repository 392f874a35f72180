"""The cases service's one background loop: pulling ODK Central every `PANA_FIELD_PULL_INTERVAL_
SECONDS` (when `PANA_FIELD_CENTRAL` is set), as `POST /field-submissions/odk-central/pull` does."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import asyncpg
import httpx

from access.settings import PersonalDataKeys
from eventkit.clock import Now
from eventkit.periodic import Periodic
from services.cases.field_forms import central
from services.cases.field_forms.settings import FieldFormsSettings


def central_puller(
    pool: asyncpg.Pool,
    field: Callable[[], FieldFormsSettings],
    keys: Callable[[], PersonalDataKeys],
    clock: Now,
) -> Periodic:
    """Runs `central.pull` every interval; a round counts what it applied or put in review."""

    async def work(now: datetime) -> int:
        settings = field()
        if settings.central is None:
            return 0
        async with httpx.AsyncClient(timeout=30) as http:
            counts = await central.pull(pool, keys(), settings, http, now)
        return counts.get("applied", 0) + counts.get("review", 0)

    return Periodic(
        work, clock, field().pull_interval_seconds,
        done="field_forms.pulled", failed="field_forms.pull_failed",
    )  # fmt: skip
