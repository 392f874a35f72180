"""Measured reasons: where time goes when a target is missed, produced by the run itself.

- `every` runs a sampler in the background while a load runs.
- `SessionSampler` samples `pg_stat_activity` of one database every 50 ms during a load and
  tells what the busy sessions were doing (waiting on a lock, on the service, on the disk).
- `cpu_seconds` reads a process's CPU time, for CPU milliseconds per request.
- `CpuSplit` reads the CPU time of this process, the PostgreSQL server and the Kafka broker
  (each with the processes they started), for the CPU one pass cost the whole machine.
- `profile_top` profiles a coroutine with cProfile and names the functions with most self time.
- `ServerWork` counts what the PostgreSQL server did during a pass (cache misses, WAL written,
  full-page images, checkpoints), for the work per event at two sizes.
"""

from __future__ import annotations

import asyncio
import contextlib
import cProfile
import gc
import operator
import os
import pstats
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import TypeVar

import asyncpg

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[1]

_SAMPLE = """
SELECT state, wait_event_type, wait_event, left(query, 60) AS query
FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'
"""


@contextlib.asynccontextmanager
async def every(seconds: float, sample: Callable[[], Awaitable[None]]) -> AsyncIterator[None]:
    """Run `sample()` every `seconds` in the background while the block runs."""

    async def loop() -> None:
        while True:
            await sample()
            await asyncio.sleep(seconds)

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _kind(row: asyncpg.Record) -> str:
    if row["wait_event_type"] == "Lock":
        if "audit_log" in (row["query"] or ""):
            return "waiting on the audit_log table lock"
        if row["wait_event"] == "object":
            return "waiting on the NOTIFY queue lock at commit"
        return f"waiting on a lock ({row['wait_event']})"
    if row["state"] == "idle in transaction":
        return "in a transaction, waiting for the client's next statement"
    if row["wait_event_type"] == "IO":
        return f"waiting on disk ({row['wait_event']})"
    if row["wait_event_type"] == "LWLock":
        return f"waiting on a server lock ({row['wait_event']})"
    if row["wait_event_type"] == "Client":
        return "waiting for the client (mid-statement)"
    return "running in PostgreSQL"


class SessionSampler:
    """What the database's non-idle sessions are doing, as shares of all samples."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    @contextlib.asynccontextmanager
    async def sampling(self, url: str) -> AsyncIterator[None]:
        conn = await asyncpg.connect(url)

        async def sample() -> None:
            for row in await conn.fetch(_SAMPLE):
                self.counts[_kind(row)] += 1

        try:
            async with every(0.05, sample):
                yield
        finally:
            await conn.close()

    def summary(self) -> str:
        total = sum(self.counts.values()) or 1
        return "; ".join(f"{k} {100 * n / total:.0f}%" for k, n in self.counts.most_common(4))


class CollectionTime:
    """Seconds CPython's cycle collector ran while this is open (`gc.callbacks`)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._started = 0.0

    def __enter__(self) -> CollectionTime:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *_: object) -> None:
        gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, _: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started


_SERVER_WORK = """
SELECT b.buffers_alloc, w.wal_bytes::bigint, w.wal_fpi,
       b.checkpoints_timed + b.checkpoints_req AS checkpoints
FROM pg_stat_bgwriter b, pg_stat_wal w
"""


@dataclass(frozen=True)
class ServerWork:
    """Cluster-wide PostgreSQL counters: their difference is what one pass made the server do."""

    buffers_alloc: int
    """Buffers taken into the shared cache: a block read on a miss, or a new page."""
    wal_bytes: int
    wal_fpi: int
    """Full-page images: whole pages written to the WAL, on a page's first change after a
    checkpoint."""
    checkpoints: int

    def __sub__(self, before: ServerWork) -> ServerWork:
        return ServerWork(*map(operator.sub, astuple(self), astuple(before)))

    def __add__(self, other: ServerWork) -> ServerWork:
        return ServerWork(*map(operator.add, astuple(self), astuple(other)))

    @staticmethod
    def per_event(passes: list[ServerWork], events: int) -> str:
        """Per event over all `passes` of `events` each."""
        total = sum(passes, ServerWork(0, 0, 0, 0))
        n = events * len(passes)
        return (
            f"{total.buffers_alloc / n:.2f} buffers taken into the cache, "
            f"{total.wal_bytes / n:,.0f} WAL bytes, {total.wal_fpi / n:.3f} full-page images "
            f"per event; {total.checkpoints / len(passes):.1f} checkpoints per rebuild"
        )

    @classmethod
    async def now(cls, postgres_url: str) -> ServerWork:
        """The counters once they stopped moving: sessions that just closed report on exit, the
        background writer every 200 ms (read until two readings 0.5 s apart agree, at most 10 s).
        """
        conn = await asyncpg.connect(postgres_url)
        try:
            last = None
            for _ in range(20):
                await conn.execute("SELECT pg_stat_clear_snapshot()")
                row = await conn.fetchrow(_SERVER_WORK)
                assert row is not None
                reading = cls(*row)
                if reading == last:
                    break
                last = reading
                await asyncio.sleep(0.5)
            return reading
        finally:
            await conn.close()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _stat_times(stat: str) -> tuple[int, int]:
    """(parent pid, user + system + reaped children's clock ticks) of a /proc/<pid>/stat text."""
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[1]), sum(int(f) for f in fields[11:15])


def tree_cpu_seconds(*pids: int) -> tuple[float, ...]:
    """CPU time of each process and all its descendants so far, counting those that have exited
    (a PostgreSQL backend's time moves into the postmaster's once it is reaped); one pass over
    /proc."""
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            child = int(stat.parent.name)
            parents[child], ticks[child] = _stat_times(stat.read_text())
    totals = dict.fromkeys(pids, 0)
    for child, spent in ticks.items():
        ancestor: int | None = child
        while ancestor is not None and ancestor not in totals:
            ancestor = parents.get(ancestor)
        if ancestor is not None:
            totals[ancestor] += spent
    return tuple(totals[pid] / os.sysconf("SC_CLK_TCK") for pid in pids)


def most_per_second(cpu_seconds_each: float) -> float:
    """How many of something costing `cpu_seconds_each` all the machine's cores could do in a
    second, busy and never idle: a bound no number of processes gets past."""
    return (os.cpu_count() or 1) / cpu_seconds_each


@dataclass(frozen=True)
class CpuSplit:
    """CPU seconds of this process, the PostgreSQL server and the Kafka broker."""

    this_process: float
    postgres: float
    kafka: float

    @classmethod
    def now(cls, postgres_pid: int, kafka_pid: int) -> CpuSplit:
        return cls(time.process_time(), *tree_cpu_seconds(postgres_pid, kafka_pid))

    def __sub__(self, before: CpuSplit) -> CpuSplit:
        return CpuSplit(*map(operator.sub, astuple(self), astuple(before)))

    @property
    def total(self) -> float:
        return self.this_process + self.postgres + self.kafka


async def profile_top(work: Awaitable[T], top: int = 8) -> tuple[T, str]:
    """Run `work` under cProfile timing CPU (not waiting); its result and the functions with
    the largest shares of self CPU time."""
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    try:
        result = await work
    finally:
        profiler.disable()
    return result, top_functions(pstats.Stats(profiler), top)


def top_functions(stats: pstats.Stats, top: int = 8) -> str:
    """The functions with the largest shares of self time."""
    rows = stats.stats  # type: ignore[attr-defined]
    total = sum(row[2] for row in rows.values()) or 1.0
    ranked = sorted(rows.items(), key=lambda item: item[1][2], reverse=True)[:top]
    return ", ".join(f"{_where(*where)} {100 * row[2] / total:.0f}%" for where, row in ranked)


def top_packages(stats: pstats.Stats, top: int = 8) -> str:
    """Shares of self time by third-party package or project folder."""
    shares: Counter[str] = Counter()
    for (file, _, _), row in stats.stats.items():  # type: ignore[attr-defined]
        shares[_package(file)] += row[2]
    total = sum(shares.values()) or 1.0
    return ", ".join(f"{k} {100 * v / total:.0f}%" for k, v in shares.most_common(top))


def _package(file: str) -> str:
    if file == "~":
        return "C builtins"
    path = Path(file)
    if "site-packages" in path.parts:
        return path.parts[path.parts.index("site-packages") + 1].split(".")[0]
    if ROOT in path.parents:
        return str(path.relative_to(ROOT).parent) + "/"
    return "Python stdlib"


def _where(file: str, line: int, name: str) -> str:
    if file == "~":
        return name.strip("{}")
    path = Path(file)
    if "site-packages" in path.parts:
        short = "/".join(path.parts[path.parts.index("site-packages") + 1 :])
    elif ROOT in path.parents:
        short = str(path.relative_to(ROOT))
    else:
        short = path.name
    return f"{name} ({short}:{line})"
