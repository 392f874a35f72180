"""What every service's routes share: run a command once, answer refusals.

Authorizing a route is the access layer's (`access.fastapi.authorize`); this module knows a
caller only as much as its idempotency keys need (`Caller`).
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any, Protocol

import orjson
from fastapi import Depends, Header, HTTPException, Request
from fastapi.responses import JSONResponse

from eventkit.decider import RefusalKind, Refused
from eventkit.idempotency import Command, execute_once, request_hash

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=200,
        description="Retry with the same key to get the first answer back; nothing is done twice",
    ),
]
RequiredIdempotencyKey = Annotated[
    str, Header(alias="Idempotency-Key", min_length=8, max_length=200)
]


def expected_version(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            description="The version you read (ETag); a newer one answers 409 with it",
        ),
    ] = None,
) -> int | None:
    """The stream version the client saw, from `If-Match: "3"` (quotes and W/ allowed)."""
    if if_match is None:
        return None
    text = if_match.strip().removeprefix("W/").strip('"')
    if not text.isdigit() or len(text) > 9:
        raise HTTPException(
            422, {"rule": "invalid_if_match", "message": 'If-Match must be a version, e.g. "3"'}
        )
    return int(text)


ExpectedVersion = Annotated[int | None, Depends(expected_version)]
"""A route's `If-Match`: the aggregate's version the client read (`ETag`); a stale one is a
`ConcurrencyConflict`, answered 409 with the current version."""


class Caller(Protocol):
    """Who sent a command, as far as idempotency keys care (`access.principal.Principal` is one)."""

    @property
    def subject(self) -> str: ...
    @property
    def organization_id(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def provider_id(self) -> str | None: ...
    @property
    def unit_id(self) -> str | None: ...


REFUSAL_STATUS: dict[RefusalKind, int] = {
    RefusalKind.NOT_FOUND: 404,
    RefusalKind.CONFLICT: 409,
    RefusalKind.INVALID: 422,
    RefusalKind.FORBIDDEN: 403,
}
"""The one place a refusal's kind becomes an HTTP status."""


def refused(refusal: Refused) -> HTTPException:
    """The HTTP form of a broken rule: its kind's status, its rule code and a readable message,
    and `Retry-After` when the same command may succeed soon."""
    headers = None if refusal.retry_after is None else {"Retry-After": str(refusal.retry_after)}
    detail = {"rule": refusal.rule, "message": refusal.message}
    return HTTPException(REFUSAL_STATUS[refusal.kind], detail, headers=headers)


def caller_scope(principal: Caller) -> str:
    """Whose idempotency keys these are: subject, organisation, role, provider and unit.

    Two clinics' devices may share a subject name (two organisations' "front-desk"): the
    provider and the organisation still tell them apart. A digest, so keys stay short.
    """
    who = (
        principal.subject,
        principal.organization_id,
        str(principal.role),
        principal.provider_id or "",
        principal.unit_id or "",
    )
    return hashlib.sha256(orjson.dumps(who)).hexdigest()[:32]


async def run_command(
    request: Request, principal: Caller, key: str | None, body: Any, command: Command
) -> JSONResponse:
    """Run `command` once per idempotency key; a replay says so in `Idempotent-Replayed`.

    The answer's `after_commit` runs here, once the transaction committed, unless replayed.
    """
    fingerprint = request_hash(request.method, request.url.path, principal.subject, body)
    try:
        answer = await execute_once(
            request.app.state.pool, key, fingerprint, command, caller=caller_scope(principal)
        )
    except Refused as refusal:
        raise refused(refusal) from None
    if answer.after_commit is not None and not answer.replayed:
        answer.after_commit()
    headers = {"Idempotent-Replayed": "true"} if answer.replayed else {}
    return JSONResponse(answer.body, status_code=answer.status_code, headers=headers)
