"""Faults injected while the load runs, each with its window on the same clock as the requests.

A window lasts from the fault until every service answers `/readyz` again, so a request can be
judged: no HTTP answer is acceptable only from a service whose process was dead in a window.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import asyncpg

from deploy.local.processes import port_is_free, wait_until
from reliability.outcomes import Outcome
from reliability.stack import (
    PORT_RELEASE_SECONDS,
    RELAY_SERVICE,
    SERVICES,
    RelayLeader,
    SystemUnderTest,
    tcp_ports,
)
from tests.support.waiting import until

MARGIN = 1.0  # seconds around a window (the kill is observed a moment after it is sent)
PUBLISHED_BEFORE_KILL = 20  # events the standalone relay must have published while it led


@dataclass
class Fault:
    name: str
    dead: tuple[str, ...]  # services whose process was not running during the window
    started: float
    ended: float = 0.0
    note: str = ""  # what happened, when "ready again after" is not the story

    @property
    def recovery_seconds(self) -> float:
        return self.ended - self.started


@dataclass
class RelayKill:
    """What a SIGKILL of the standalone relay found: it led, it published, another took over."""

    published_while_leading: int  # at least this many outbox rows it published, then deleted
    outbox_at_kill: int
    successor: str  # who held the lock next
    failover_seconds: float  # from the kill until another relay held the lock


@dataclass
class _Outbox:
    """The relay database's outbox size and newest position at one moment."""

    rows: int
    newest: int

    @classmethod
    async def now(cls, url: str) -> _Outbox:
        conn = await asyncpg.connect(url)
        try:
            row = await conn.fetchrow(
                "SELECT (SELECT count(*) FROM outbox) AS rows,"
                " (SELECT coalesce(max(position), 0) FROM events) AS newest"
            )
            assert row is not None
            return cls(int(row["rows"]), int(row["newest"]))
        finally:
            await conn.close()

    async def published_since(self, url: str) -> int:
        """Rows that left the outbox since this moment: those waiting then, plus those written
        since, minus those waiting now (only the relay deletes outbox rows)."""
        conn = await asyncpg.connect(url)
        try:
            written = await conn.fetchval(
                "SELECT count(*) FROM events WHERE position > $1", self.newest
            )
            waiting = await conn.fetchval("SELECT count(*) FROM outbox")
        finally:
            await conn.close()
        return self.rows + int(written) - int(waiting)


class FaultInjector:
    """Crashes, restarts; records the timeline."""

    def __init__(self, sut: SystemUnderTest) -> None:
        self.sut = sut
        self.timeline: list[Fault] = []
        self.relay_kills: list[RelayKill] = []

    async def kill_service(self, name: str) -> Fault:
        """SIGKILL a service process (its in-process relay or consumer dies with it), restart it."""

        port = self.sut.stack.service_ports[name]

        def crash_and_restart() -> None:
            self.sut.stack.service(name).kill()
            # Clients' kept-alive connections to the dead process hold its port (FIN-WAIT-2)
            # until they notice; a supervisor retries the bind, so does this one.
            wait_until(partial(port_is_free, port), PORT_RELEASE_SECONDS)
            self.sut.stack.start_service(name)

        return await self._run(f"SIGKILL of the {name} service", (name,), crash_and_restart)

    async def restart_kafka(self) -> Fault:
        broker = self.sut.stack.kafka

        def restart() -> None:
            broker.stop()
            broker.start()

        return await self._run("restart of the Kafka broker", (), restart)

    async def restart_postgres(self) -> Fault:
        server = self.sut.stack.postgres

        def restart() -> None:
            server.stop()
            server.start()

        return await self._run("restart of PostgreSQL", (), restart)

    async def kill_relay(self) -> Fault:
        """SIGKILL the standalone relay while it leads and publishes under the load.

        Only one relay per database publishes (the advisory lock); the service's in-process
        relay waits as standby and must take the lock over. The killed relay is restarted at
        once, as its supervisor would, and waits as standby in turn.
        """
        url = self.sut.database_url(RELAY_SERVICE)
        await self._standalone_relay_leads()
        mark = await _Outbox.now(url)

        async def has_published() -> bool:
            return await mark.published_since(url) >= PUBLISHED_BEFORE_KILL

        await until(has_published, 60, "the standalone relay publishes under the load")
        await self._standalone_relay_leads()  # still the publisher, a moment before the kill
        published = await mark.published_since(url)
        waiting = (await _Outbox.now(url)).rows
        fault = Fault(
            f"SIGKILL of the standalone relay of pana_{RELAY_SERVICE}", (), time.monotonic()
        )
        self.timeline.append(fault)
        await asyncio.to_thread(self.sut.relay.kill)

        async def another_leads() -> bool:
            leader = await self.sut.relay_leader()
            return leader is not None and not leader.standalone

        failover = await until(another_leads, 60, "another relay takes the lock over")
        successor = self._describe(await self.sut.relay_leader())
        await asyncio.to_thread(self.sut.start_relay)
        fault.ended = time.monotonic()
        self.relay_kills.append(RelayKill(published, waiting, successor, failover))
        fault.note = (
            f"it held the publisher's lock and had published at least {published} events under "
            f"the load ({waiting} outbox rows waiting); {successor} held the lock "
            f"{failover:.1f} s later; the standalone relay was restarted and waits as standby"
        )
        return fault

    async def _standalone_relay_leads(self) -> None:
        """Make sure the standalone relay holds the lock. A restart of PostgreSQL or Kafka makes
        every relay drop its session, and whichever reconnects first leads: then the holder's
        session is ended (pg_terminate_backend) until the standalone relay wins the lock."""
        started, ended_sessions = time.monotonic(), 0
        while True:
            leader = await self.sut.relay_leader()
            if leader is not None and leader.standalone:
                break
            assert self.sut.relay.running(), self.sut.relay.log_tail()
            if time.monotonic() - started > 60:
                raise AssertionError(f"the standalone relay never took the lock ({leader})")
            if leader is not None:
                await self._end_session(leader.backend_pid)
                ended_sessions += 1
            await asyncio.sleep(0.3)
        if ended_sessions:
            handover = Fault("handover of the relay lock", (), started, time.monotonic())
            handover.note = (
                f"{ended_sessions} session(s) of the {RELAY_SERVICE} service's relay ended "
                f"(pg_terminate_backend) until the standalone relay held the lock, "
                f"{handover.recovery_seconds:.1f} s"
            )
            self.timeline.append(handover)

    async def _end_session(self, backend_pid: int) -> None:
        conn = await asyncpg.connect(self.sut.database_url(RELAY_SERVICE))
        try:
            await conn.execute("SELECT pg_terminate_backend($1)", backend_pid)
        finally:
            await conn.close()

    def _describe(self, leader: RelayLeader | None) -> str:
        if leader is None:
            return "nobody"
        service = self.sut.pid(RELAY_SERVICE)
        if service is not None and leader.client_port in tcp_ports(service):
            return f"the {RELAY_SERVICE} service's in-process relay"
        return f"PostgreSQL backend {leader.backend_pid} ({leader.application_name or 'unnamed'})"

    async def _run(self, name: str, dead: tuple[str, ...], act: Callable[[], None]) -> Fault:
        fault = Fault(name, dead, time.monotonic())
        self.timeline.append(fault)
        await asyncio.to_thread(act)
        await asyncio.to_thread(self.sut.stack.wait_ready, list(SERVICES), 120)
        fault.ended = time.monotonic()
        return fault

    def explains(self, outcome: Outcome) -> bool:
        """True when `outcome` (without an HTTP answer) met a dead process of its service."""
        sent, done = outcome.started, outcome.started + outcome.elapsed
        return any(
            outcome.service in f.dead and sent <= f.ended + MARGIN and done >= f.started - MARGIN
            for f in self.timeline
        )
