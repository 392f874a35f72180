"""What an answer of the read API needs of the request it answers, read once at the edge.

The answer helpers of `api.attainment_router` take an `Asked`, never the HTTP request: the
pool, the app's workers (whose replay an answer reports), what an ETag names of the request,
and the client's `If-None-Match`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from eventkit.dependencies import app_pool


@dataclass(frozen=True)
class Asked:
    """The request as the answer helpers read it."""

    pool: asyncpg.Pool
    workers: tuple[object, ...]
    target: str
    """The path and its query parameters, sorted: what an ETag names of the request."""
    if_none_match: str


async def asked(request: Request) -> Asked:
    """The `Asked` of `request` (async: no worker thread per request)."""
    return Asked(
        app_pool(request),
        tuple(getattr(request.app.state, "workers", ())),
        f"{request.url.path}?{sorted(request.query_params.multi_items())}",
        request.headers.get("if-none-match", ""),
    )


AskedDep = Annotated[Asked, Depends(asked)]
"""A route parameter holding its `Asked`."""
