"""Resident memory of each service process, at rest and at its peak under load (benchmark 5)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from bench.diagnostics import every
from bench.processes import ServiceProcess


@dataclass
class MemoryLog:
    """RSS readings in MiB per service: after start-up (rest) and the peak under load."""

    at_rest: dict[str, float] = field(default_factory=dict)
    under_load: dict[str, float] = field(default_factory=dict)
    load: dict[str, str] = field(default_factory=dict)

    def rest(self, name: str, service: ServiceProcess) -> None:
        self.at_rest[name] = service.rss_mib()

    @contextlib.asynccontextmanager
    async def sampling(self, name: str, service: ServiceProcess, what: str) -> AsyncIterator[None]:
        """Sample RSS every 200 ms while the block runs; keep the peak."""
        peak = service.rss_mib()

        async def sample() -> None:
            nonlocal peak
            peak = max(peak, service.rss_mib())

        try:
            async with every(0.2, sample):
                yield
        finally:
            if peak >= self.under_load.get(name, 0.0):
                self.under_load[name] = peak
                self.load[name] = what
