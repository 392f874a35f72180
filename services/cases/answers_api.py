"""How a route runs a service-layer command: in one transaction, once per `Idempotency-Key`,
answered with the result's JSON under the route's status. The one place a cases result becomes
an HTTP answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from access.principal import Principal
from eventkit.http import run_command
from eventkit.idempotency import Answer
from eventkit.store import Connection
from services.cases.results import Result

Work = Callable[[Connection], Awaitable[Result]]
"""A service-layer call on the transaction's connection."""


async def answered(
    request: Request,
    principal: Principal,
    key: str | None,
    body: BaseModel,
    work: Work,
    status: int = 200,
) -> JSONResponse:
    """Run `work` once per `key` (a retry gets the first answer); a refusal is its kind's status."""

    async def command(conn: Connection) -> Answer:
        return Answer(status, (await work(conn)).json())

    return await run_command(request, principal, key, body.model_dump(mode="json"), command)
