"""What a route receives from the app it runs in, as `Annotated` dependencies defined once.

    @router.post("/vouchers")
    async def issue(body: IssueRequest, principal: CurrentPrincipal, pool: Pool, clock: Clock)

`Clock` is the app's clock (`create_service_app(clock=...)`, the wall clock unless injected):
a route hands it to the service layer, which reads the time where it decides. A test fixes the
time with `app.dependency_overrides[app_clock] = lambda: fixed` (or by injecting the clock).
"""

from __future__ import annotations

from typing import Annotated, Any

import asyncpg
from fastapi import Depends, Request

from eventkit.clock import Now, utc_now
from eventkit.settings import ServiceSettings


def app_clock(request: Request) -> Now:
    """The app's clock; the wall clock for an app not made by `create_service_app` (a router
    mounted alone, as tests do)."""
    clock: Now = getattr(request.app.state, "clock", utc_now)
    return clock


def app_pool(request: Request) -> asyncpg.Pool:
    """The app's database pool."""
    pool: asyncpg.Pool = request.app.state.pool
    return pool


def app_settings(request: Request) -> Any:
    """The app's settings, as the service's own class (annotate with it for its fields)."""
    return request.app.state.settings


Clock = Annotated[Now, Depends(app_clock)]
"""The app's clock, called for the current time."""
Pool = Annotated[asyncpg.Pool, Depends(app_pool)]
"""The app's database pool."""
Settings = Annotated[ServiceSettings, Depends(app_settings)]
"""The app's settings (a service's own fields: `Annotated[MySettings, Depends(app_settings)]`)."""
