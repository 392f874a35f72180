"""Read-your-writes across services: `Pana-After: <event id>` waits for this service's copies.

The cases service answers every command with `position`, the id of the last event it wrote. A
service that keeps a copy of cases' events (referrals and vouchers: who exists, where, consent)
applies them a moment later, so a client that records consent and refers at once could be told
`consent_missing` although the consent was recorded. Passing that id as `Pana-After` makes the
receiving service wait, bounded (`PANA_READ_YOUR_WRITES_TIMEOUT_SECONDS`, 5 s), until every one
of its copies (`app.state.copies`: the consumers, all reading the same topics) has applied the
event; then the request runs. Past the bound the answer is 409 `copy_behind` with
`Retry-After`, naming the event (as an unknown participant is: the copy is behind, or the id was
never an event of the owner's); the request did nothing. A service without copies ignores the
header.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

from fastapi import Header, HTTPException, Request

from eventkit.positions import wait_for_events

AFTER_HEADER = "Pana-After"
MAX_EVENTS = 10


async def after_events(
    request: Request,
    pana_after: Annotated[
        str | None,
        Header(
            alias=AFTER_HEADER,
            description="Event ids (comma-separated, at most 10) another service answered as"
            " `position`: wait until this service's copy has applied them before answering.",
            examples=["0193b2a4-6c1e-7c3a-9a57-3f9a4c2b1e70"],
        ),
    ] = None,
) -> None:
    """A route dependency: hold the request until the copies applied the named events."""
    if not pana_after:
        return
    consumers: tuple[str, ...] = tuple(getattr(request.app.state, "copies", ()))
    if not consumers:
        return
    ids = _event_ids(pana_after)
    settings = request.app.state.settings
    within = float(getattr(settings, "read_your_writes_timeout_seconds", 5.0))
    pool = request.app.state.pool
    try:
        await asyncio.gather(
            *(wait_for_events(pool, consumer, ids, within) for consumer in consumers)
        )
    except TimeoutError:
        raise HTTPException(
            409,
            {
                "rule": "copy_behind",
                "message": f"this service has not yet received event(s) {', '.join(ids)} from"
                f" their owner within {within:g} s; nothing was done, retry",
            },
            headers={"Retry-After": "1"},
        ) from None


def _event_ids(header: str) -> list[str]:
    parts = [p.strip() for p in header.split(",") if p.strip()]
    if len(parts) > MAX_EVENTS:
        raise HTTPException(422, f"{AFTER_HEADER} names at most {MAX_EVENTS} events")
    try:
        return [str(uuid.UUID(p)) for p in parts]
    except ValueError:
        raise HTTPException(
            422, f"{AFTER_HEADER} must be event ids (UUIDs), comma-separated"
        ) from None
