"""The request edge every service shares, as one plain ASGI middleware.

- Bodies over `max_body_bytes` get 413 before they are read whole (by `Content-Length`, or
  counted as they stream in), so a hostile client cannot make a process buffer gigabytes.
- Command bodies holding text PostgreSQL can't store (NUL, unpaired surrogates) get 422
  (`eventkit.request_text`) instead of failing inside the command, and so do bodies holding
  `NaN` or `Infinity` (`eventkit.request_numbers`), whose validation error could not be written.
- A bounded number of requests is handled at once; the next get 503 with `Retry-After` at once,
  so a slow database cannot make the process queue work until memory runs out.
- A command's body is read before it takes one of those slots, within `body_timeout` seconds
  (408 after); a body not whole after `slow_body_after` seconds counts against its client, at
  most `max_bodies_per_client` of those at once (429 beyond; a client is a verified token's
  subject, else the address, see `client_of`): a client trickling bodies byte by byte holds no
  slot and cannot hold many readers, and a burst of fast bodies is never refused.
- Streams and long polls (`eventkit.holds.long_lived`) have slots of their own,
  `max_waiting` in all (503 beyond) and `max_waiting_per_client` per client (429 beyond): idle
  listeners cannot take the slots a clinic's lookup or redemption needs.
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

from eventkit.bodies import Arriving
from eventkit.holds import ClientOf, PerClient, by_address, long_lived
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
        body_timeout: float = 10.0,
        slow_body_after: float = 1.0,
        max_bodies_per_client: int = 64,
        max_waiting: int = 64,
        max_waiting_per_client: int = 8,
        client_of: ClientOf = by_address,
        waiting: Callable[[Scope], bool] = long_lived,
    ) -> None:
        self.app, self.service = app, service
        self.carry_trace_context = carry_trace_context
        self.slots = asyncio.Semaphore(max_in_flight)
        self.max_body_bytes = max_body_bytes
        self.refuse_commands = refuse_commands
        self.body_timeout, self.slow_body_after = body_timeout, slow_body_after
        self.reading = PerClient(max_bodies_per_client)
        self.waits = asyncio.Semaphore(max_waiting)
        self.waiting_by_client = PerClient(max_waiting_per_client)
        self.client_of, self.waiting = client_of, waiting

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
        if self.waiting(scope):
            return await self._wait(scope, receive, send)
        if self.slots.locked():
            return await self._shed(scope, send)
        if (refusal := self._refusal(scope)) is not None:
            return await self._refuse(send, 503, *refusal)
        if scope["method"] not in COMMANDS:
            async with self.slots:
                return await self._pass(scope, receive, send)
        body = await self._command_body(scope, receive, send)
        if isinstance(body, int):
            return body  # refused, and answered
        if self.slots.locked():  # filled while the body arrived
            return await self._shed(scope, send)
        async with self.slots:
            return await self._pass(scope, _replay(body, receive), send)

    async def _pass(self, scope: Scope, receive: Receive, send: Send) -> int:
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self._handle(scope, receive, sending)
        return status

    async def _command_body(self, scope: Scope, receive: Receive, send: Send) -> bytes | int:
        """The command's checked body, or the status it was refused with."""
        arriving = Arriving(self.max_body_bytes)
        try:
            async with asyncio.timeout(self.slow_body_after):
                await arriving.read(receive)
        except TimeoutError:
            refused = await self._slow_body(scope, receive, send, arriving)
            if refused is not None:
                return refused
        if arriving.too_large:
            return await self._refuse(send, 413, self._too_large(), None)
        body = arriving.body()
        if (problem := unstorable_text(body) or non_json_number(body)) is not None:
            return await self._refuse(send, 422, problem, None)
        return body

    async def _slow_body(
        self, scope: Scope, receive: Receive, send: Send, arriving: Arriving
    ) -> int | None:
        """Finish reading a body that did not come at once, counted against its client.

        Only slow bodies count: a burst of fast ones from one busy client is never refused.
        """
        client = await self.client_of(scope)
        if not self.reading.take(client):
            detail = f"this client is already sending {self.reading.limit} slow request bodies"
            return await self._refuse(send, 429, f"{detail}; retry shortly", 1, close=True)
        try:
            async with asyncio.timeout(max(self.body_timeout - self.slow_body_after, 0)):
                await arriving.read(receive)
        except TimeoutError:
            detail = f"the request body did not arrive within {self.body_timeout:g} s"
            return await self._refuse(send, 408, detail, None, close=True)
        finally:
            self.reading.release(client)
        return None

    async def _wait(self, scope: Scope, receive: Receive, send: Send) -> int:
        """A stream or long poll, in its own slots and within its client's bound."""
        client = await self.client_of(scope)
        if self.waits.locked():  # checked after the await: a full set of slots is never queued on
            log.warning("request.shed_waiting")
            detail = "the service holds as many streams and long polls as it allows"
            return await self._refuse(send, 503, f"{detail}; retry shortly", 5)
        if not self.waiting_by_client.take(client):
            limit = self.waiting_by_client.limit
            detail = f"this client already holds {limit} streams or long polls"
            return await self._refuse(send, 429, f"{detail}; close one or retry later", 5)
        try:
            async with self.waits:
                return await self._pass(scope, receive, send)
        finally:
            self.waiting_by_client.release(client)

    async def _shed(self, scope: Scope, send: Send) -> int:
        log.warning("request.shed", method=scope["method"])
        return await self._refuse(send, 503, "the service is at capacity; retry shortly", 1)

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

    def _too_large(self) -> str:
        return f"the request body is larger than {self.max_body_bytes} bytes"

    @staticmethod
    async def _refuse(
        send: Send, status: int, detail: str, retry_after: int | None, *, close: bool = False
    ) -> int:
        headers: list[tuple[bytes, bytes]] = [(b"content-type", b"application/json")]
        if retry_after is not None:
            headers.append((b"retry-after", str(retry_after).encode()))
        if close:  # the rest of the body may still come: the connection is not reusable
            headers.append((b"connection", b"close"))
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
