"""The request edge every service shares, as one plain ASGI middleware.

- Bodies over `max_body_bytes` get 413 before they are read whole (by `Content-Length`, or
  counted as they stream in), so a hostile client cannot make a process buffer gigabytes.
- Command bodies holding text PostgreSQL can't store (NUL, unpaired surrogates) get 422
  (`eventkit.request_text`) instead of failing inside the command, and so do bodies holding
  `NaN` or `Infinity` (`eventkit.request_numbers`), whose validation error could not be written.
- A bounded number of requests is handled at once; the next get 503 with `Retry-After` at once,
  so a slow database cannot make the process queue work until memory runs out.
- `refuse_commands` may turn commands (POST, PUT, PATCH, DELETE) away with 503 while reads go
  on, e.g. while the outbox backlog says Kafka is not keeping up.
- Every answered request is counted and timed by route template (never by raw path), a 500
  from an exception escaping the app included.
- With `carry_trace_context` (when no HTTP tracing is installed) an incoming `traceparent` is
  made current, so the events the request writes still continue the caller's trace.

Plain ASGI rather than `@app.middleware("http")`: each of those wraps the request in a task
group and memory streams, which cost more CPU per request than a redemption's own work.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from contextvars import Token

import orjson
import structlog
from opentelemetry import context
from opentelemetry.context import Context
from opentelemetry.propagate import extract
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from eventkit.metrics import LATENCY, REQUESTS
from eventkit.request_numbers import non_json_number
from eventkit.request_text import unstorable_text

log = structlog.get_logger("eventkit.edge")

PROBES = frozenset({"/healthz", "/readyz", "/metrics"})
COMMANDS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

Refusal = tuple[str, int]
"""Why a command is turned away now, and after how many seconds to retry."""


class Edge:
    """Body limit, load shedding, command refusal and metrics in front of the service's app."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        service: str,
        max_in_flight: int,
        max_body_bytes: int,
        refuse_commands: Callable[[], Refusal | None] | None = None,
        carry_trace_context: bool = False,
    ) -> None:
        self.app, self.service = app, service
        self.carry_trace_context = carry_trace_context
        self.slots = asyncio.Semaphore(max_in_flight)
        self.max_body_bytes = max_body_bytes
        self.refuse_commands = refuse_commands

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in PROBES:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        try:
            status = await self._answer(scope, receive, send)
        except Exception:
            # Starlette answered 500 and raised on (for the server to log): counted all the same.
            self._count(scope, 500, started)
            raise
        self._count(scope, status, started)

    def _count(self, scope: Scope, status: int, started: float) -> None:
        route = getattr(scope.get("route"), "path", "unmatched")
        REQUESTS.labels(self.service, scope["method"], route, status).inc()
        LATENCY.labels(self.service, scope["method"], route).observe(time.perf_counter() - started)

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> int:
        """Refuse or pass the request on; the status answered (500 stays if the app raises)."""
        declared = _content_length(scope)
        if declared is not None and declared > self.max_body_bytes:
            return await self._refuse(send, 413, self._too_large(), None)
        if self.slots.locked():
            log.warning("request.shed", method=scope["method"])
            return await self._refuse(send, 503, "the service is at capacity; retry shortly", 1)
        if (refusal := self._refusal(scope)) is not None:
            return await self._refuse(send, 503, *refusal)
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        async with self.slots:
            if scope["method"] not in COMMANDS:
                await self._handle(scope, receive, sending)
            elif (body := await self._body(receive)) is None:
                return await self._refuse(send, 413, self._too_large(), None)
            elif (problem := unstorable_text(body) or non_json_number(body)) is not None:
                return await self._refuse(send, 422, problem, None)
            else:
                await self._handle(scope, _replay(body, receive), sending)
        return status

    async def _handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = self._continue_trace(scope) if self.carry_trace_context else None
        try:
            await self.app(scope, receive, send)
        finally:
            if token is not None:
                context.detach(token)

    @staticmethod
    def _continue_trace(scope: Scope) -> Token[Context] | None:
        carrier = {
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in scope["headers"]
            if name in (b"traceparent", b"tracestate")
        }
        return context.attach(extract(carrier)) if carrier else None

    def _refusal(self, scope: Scope) -> Refusal | None:
        if self.refuse_commands is None or scope["method"] not in COMMANDS:
            return None
        return self.refuse_commands()

    async def _body(self, receive: Receive) -> bytes | None:
        """A command's whole body (they are small), or None once it exceeds the limit."""
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break  # the client went away: the app sees an empty body and the disconnect
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return None
            chunks.append(chunk)
            more = message.get("more_body", False)
        return b"".join(chunks)

    def _too_large(self) -> str:
        return f"the request body is larger than {self.max_body_bytes} bytes"

    @staticmethod
    async def _refuse(send: Send, status: int, detail: str, retry_after: int | None) -> int:
        headers: list[tuple[bytes, bytes]] = [(b"content-type", b"application/json")]
        if retry_after is not None:
            headers.append((b"retry-after", str(retry_after).encode()))
        body = orjson.dumps({"detail": detail})
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        return status


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` giving `body` once, then whatever the connection says next (a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
