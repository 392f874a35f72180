"""Back-pressure from a slow Kafka: refuse commands while the outbox backlog is over a bound.

Why. A command needs only PostgreSQL: its events and their outbox rows commit together and the
relay publishes them later. When Kafka slows down (a throttled or struggling broker), commands
keep being accepted and the outbox grows with nothing to stop it: the projections fall further
behind every minute, the table grows, and the catch-up after recovery becomes an outage of its
own. Past `outbox_backlog_limit` rows (`PANA_OUTBOX_BACKLOG_LIMIT`, 0 disables) a service
answers commands 503 with `Retry-After`, so clients retry later with their Idempotency-Key,
until the relay has brought the backlog back under the bound. Reads are still served: they add
nothing to the outbox.

Why a sampler, not a count per request. One bounded count every `interval` seconds is cheap
(the `LIMIT` stops counting at the bound, so a huge backlog costs no more than the bound);
counting on every command would add a query to each. Between two samples the verdict adds the
commands admitted since the last count began (each may add outbox rows) to that count, so a
fast service does not overshoot by a whole interval of commands; the next count corrects the
estimate. The backlog stays bounded, not exact (commands in flight during a count are missed).

Wiring (eventkit/service.py): a service with an outbox (`relay=True`) runs an `OutboxPressure`
on its pool as one of its workers (started once setup made the tables, stopped at shutdown) and
keeps it as `app.state.outbox_pressure`; the edge middleware (eventkit/edge.py, before any
in-flight slot is taken) answers a command 503 with `Retry-After` when
`backlog_refusal(app.state.outbox_pressure, method)` gives a (detail, seconds) refusal.
`backlog_refusal` refuses only commands (POST, PUT, PATCH, DELETE); GET, HEAD and OPTIONS pass.
Until the first sample (and when the limit is 0) nothing is refused. A failing sample keeps the
last verdict: a database outage is answered 503 by the request path anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Protocol

import asyncpg
import structlog

log = structlog.get_logger("eventkit.outbox_pressure")

COMMAND_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
RETRY_AFTER_SECONDS = 2  # a few samples: the relay must drain before a retry can get in
SAMPLE_INTERVAL_SECONDS = 0.5

# Counts at most $1 rows: the cost is bounded by the limit, not by the backlog.
_BOUNDED_COUNT = "SELECT count(*) FROM (SELECT 1 FROM outbox LIMIT $1) AS waiting"


class BacklogWatch(Protocol):
    """What `backlog_refusal` needs: the current verdict, and to hear of each admitted command."""

    @property
    def over_limit(self) -> bool: ...

    def admit(self) -> None: ...


def backlog_refusal(watch: BacklogWatch | None, method: str) -> tuple[str, int] | None:
    """(detail, Retry-After seconds) when a `method` request must be refused 503; else None."""
    if watch is None or method.upper() not in COMMAND_METHODS:
        return None
    if not watch.over_limit:
        watch.admit()
        return None
    return (
        "events are waiting to be published to Kafka beyond the service's bound; "
        "retry shortly with the same Idempotency-Key",
        RETRY_AFTER_SECONDS,
    )


class OutboxPressure:
    """Samples the outbox backlog until `stop()`; `over_limit` is the verdict.

    A `Worker` (see eventkit.service): `async run()` until `stop()`.
    """

    def __init__(
        self, pool: asyncpg.Pool, limit: int, interval: float = SAMPLE_INTERVAL_SECONDS
    ) -> None:
        self.pool = pool
        self.limit = limit
        self.interval = interval
        self.backlog = 0  # the last sample, capped at `limit`
        self.admitted = 0  # commands admitted since the last count began
        self._sampled = False
        self._stopping = asyncio.Event()

    @property
    def over_limit(self) -> bool:
        """The last count plus the commands admitted since reach the bound (never before one)."""
        return self._sampled and self.limit > 0 and self.backlog + self.admitted >= self.limit

    def admit(self) -> None:
        """One more command let in: it may add outbox rows before the next count sees them."""
        self.admitted += 1

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        """Sample every `interval` seconds; with `limit` 0 (disabled), just wait to be stopped."""
        failing = False
        while not self._stopping.is_set():
            if self.limit > 0:
                try:
                    await self.sample()
                    failing = False
                except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as e:
                    if not failing:  # once per run of failures, not twice a second
                        log.warning("outbox_pressure.sample_failed", error=type(e).__name__)
                    failing = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.interval)

    async def sample(self) -> None:
        """Count the outbox (up to `limit`) once and update the verdict."""
        admitted = self.admitted  # the ones committed by now are in the count
        was = self.over_limit
        backlog = int(
            await self.pool.fetchval(_BOUNDED_COUNT, self.limit, timeout=self.interval * 4)
        )
        self.backlog, self._sampled = backlog, True
        self.admitted -= admitted
        if self.over_limit != was:
            event = "outbox_pressure.shedding" if self.over_limit else "outbox_pressure.admitting"
            log.warning(event, backlog=backlog, limit=self.limit)
