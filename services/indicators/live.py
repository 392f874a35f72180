"""Live reading: a Server-Sent Events stream of changes, and read-your-writes positions.

The stream sends the logframe version's revision at once and again whenever an event changes
it (checked every quarter second: well inside the one-second freshness target, and one indexed
read per open stream). Clients refetch with their ETag, so a change costs one small answer.
`/positions/{event_id}` answers once the projection committed that event: a client that wrote a
command waits on it instead of guessing, and tests never sleep.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Annotated
from uuid import UUID

import orjson
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse

from eventkit.dependencies import Pool
from eventkit.positions import wait_for_events
from services.indicators.catalog import Catalog, UnknownLogframe
from services.indicators.logframe import Logframe
from services.indicators.reading import AttainmentReader

POLL_SECONDS = 0.25
HEARTBEAT_SECONDS = 15.0


def live_router(catalog: Catalog, reader: AttainmentReader, consumers: dict[str, str]) -> APIRouter:
    """SSE and positions for `catalog`; `consumers` names the consumer of each logframe key."""
    router = APIRouter(tags=["live"])

    def logframe_or_404(key: str | None) -> Logframe:
        try:
            return catalog.get(key)
        except UnknownLogframe:
            raise HTTPException(404, f"unknown logframe {key!r}") from None

    @router.get("/stream", summary="Server-Sent Events: `revision` whenever the figures change")
    async def stream(
        request: Request, logframe: str | None = None, *, pool: Pool
    ) -> StreamingResponse:
        lf = logframe_or_404(logframe)

        async def events() -> AsyncIterator[bytes]:
            last, quiet_since = -1, time.monotonic()
            while not await request.is_disconnected():
                current = await reader.revision(pool, lf)
                if current != last:
                    last, quiet_since = current, time.monotonic()
                    data = orjson.dumps({"logframe": lf.key, "revision": current})
                    yield b"event: revision\ndata: " + data + b"\n\n"
                elif time.monotonic() - quiet_since > HEARTBEAT_SECONDS:
                    quiet_since = time.monotonic()
                    yield b": keep-alive\n\n"  # proxies close silent connections
                await asyncio.sleep(POLL_SECONDS)

        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        return StreamingResponse(events(), media_type="text/event-stream", headers=headers)

    @router.get(
        "/positions/{event_id}",
        summary="Wait until the projection applied an event (200), or time out (408)",
    )
    async def position(
        pool: Pool,
        event_id: UUID,
        within: Annotated[float, Query(alias="timeout", ge=0, le=30, description="Seconds.")] = 5.0,
        logframe: str | None = None,
    ) -> JSONResponse:
        lf = logframe_or_404(logframe)
        consumer = consumers[lf.key]
        try:
            await wait_for_events(pool, consumer, [str(event_id)], within)
        except TimeoutError:
            body = {"event_id": str(event_id), "applied": False, "detail": "not applied yet"}
            return JSONResponse(body, status_code=408)
        return JSONResponse({"event_id": str(event_id), "applied": True})

    return router
