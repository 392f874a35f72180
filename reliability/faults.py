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

from deploy.local.processes import port_is_free, wait_until
from reliability.outcomes import Outcome
from reliability.stack import SERVICES, SystemUnderTest

PORT_RELEASE_SECONDS = 90.0
MARGIN = 1.0  # seconds around a window (the kill is observed a moment after it is sent)


@dataclass
class Fault:
    name: str
    dead: tuple[str, ...]  # services whose process was not running during the window
    started: float
    ended: float = 0.0

    @property
    def recovery_seconds(self) -> float:
        return self.ended - self.started


class FaultInjector:
    """Crashes, restarts; records the timeline."""

    def __init__(self, sut: SystemUnderTest) -> None:
        self.sut = sut
        self.timeline: list[Fault] = []

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
