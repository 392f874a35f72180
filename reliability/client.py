"""A client that behaves as the platform asks: one `Idempotency-Key` per command, retried on 503
(honouring `Retry-After`, capped) and on lost connections, until a deadline."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from reliability.outcomes import Outcome, Outcomes, Verdict

ANSWER_WITHIN = 25.0  # a request not answered by then hangs (services time out at 10 s)
# Below uvicorn's 5 s keep-alive: never reuse a connection the server is closing as idle (that
# race drops a request with no fault at all, and would be blamed on the system).
LIMITS = httpx.Limits(keepalive_expiry=2.0)


@dataclass
class Answer:
    """The last attempt's verdict and, when accepted, its JSON body."""

    verdict: Verdict
    status: int | None
    body: dict[str, Any]


class RetryingClient:
    """Sends commands as one principal; records every attempt in `outcomes`."""

    def __init__(self, base_url: str, headers: dict[str, str], service: str, outcomes: Outcomes):
        self.http = httpx.AsyncClient(
            base_url=base_url, headers=headers, timeout=ANSWER_WITHIN, limits=LIMITS
        )
        self.service = service
        self.outcomes = outcomes

    async def aclose(self) -> None:
        await self.http.aclose()

    async def command(
        self, operation: str, path: str, body: dict[str, Any] | None = None, give_up: float = 60.0
    ) -> Answer:
        """POST `body` to `path` until it is answered other than 503 / no answer, or `give_up`."""
        headers = {"Idempotency-Key": f"rel-{uuid.uuid4()}"}
        deadline = time.monotonic() + give_up
        while True:
            outcome, payload = await self._attempt(operation, "POST", path, body, headers)
            self.outcomes.add(outcome)
            retry = outcome.verdict in (Verdict.SHED, Verdict.UNREACHABLE)
            if not retry or time.monotonic() > deadline:
                return Answer(outcome.verdict, outcome.status, payload)
            await asyncio.sleep(min(float(outcome.retry_after or 0.2), 1.0))

    async def read(self, operation: str, path: str) -> Answer:
        """One GET, recorded like a command attempt."""
        outcome, payload = await self._attempt(operation, "GET", path, None, {})
        self.outcomes.add(outcome)
        return Answer(outcome.verdict, outcome.status, payload)

    async def _attempt(
        self,
        operation: str,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        headers: dict[str, str],
    ) -> tuple[Outcome, dict[str, Any]]:
        started = time.monotonic()
        try:
            response = await self.http.request(method, path, json=body, headers=headers)
        except httpx.TimeoutException as exc:
            return self._failed(operation, started, exc, timed_out=True), {}
        except httpx.TransportError as exc:
            return self._failed(operation, started, exc, timed_out=False), {}
        payload: dict[str, Any] = {}
        if response.headers.get("content-type", "").startswith("application/json"):
            parsed = response.json()
            payload = parsed if isinstance(parsed, dict) else {"items": parsed}
        position = payload.get("position") if 200 <= response.status_code < 300 else None
        outcome = Outcome(
            service=self.service,
            operation=operation,
            started=started,
            elapsed=time.monotonic() - started,
            status=response.status_code,
            retry_after=response.headers.get("Retry-After"),
            position=str(position) if position else None,
        )
        return outcome, payload

    def _failed(
        self, operation: str, started: float, exc: Exception, *, timed_out: bool
    ) -> Outcome:
        return Outcome(
            service=self.service,
            operation=operation,
            started=started,
            elapsed=time.monotonic() - started,
            status=None,
            error=type(exc).__name__,
            timed_out=timed_out,
        )
