"""`python -m bench.scale [--events N]`: the indicators service at national scale (issue 24).

One run, one PostgreSQL and one Kafka (the suite's servers), the ratios measured side by side:

- rebuild of N events against `--baseline-rebuilds` rebuilds of N/10 (times 10: linear), and
  the projection's rate over each; the CPU per event the N-event rebuild cost this process,
  PostgreSQL and Kafka, and the rate that allows on the machine's cores;
- the service (its own process, one at a time) on read models of N, N/100 and N/1000 events:
  start-up to ready, resident memory at rest and at its peak under dashboard reads, and the
  read p50 of `GET /attainment` unfiltered and filtered by region and month (the region and
  month with the most people counted);
- the same reads' database part alone (`counted_state.totals`, what a read costs when the
  service's answer cache misses: after each change);
- freshness: an event published to Kafka until `/positions/{id}` says it is applied, p99,
  on the N-event read model while a client reads the dashboard without pause.

The issue asks for N = 10,000,000 (`make bench-scale`); a smaller N keeps every ratio's form.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import statistics
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import asyncpg
import orjson
import structlog
import uvloop
from aiokafka import AIOKafkaProducer

from bench import events, rebuild
from bench.diagnostics import CpuSplit, most_per_second
from bench.figures import percentile
from bench.http_load import HttpConnection
from bench.infrastructure import Servers, issuer, servers
from bench.projection import READ_PREFIX, _served
from contracts.envelope import to_kafka
from contracts.registry import latest_model
from deploy.local.secrets import ensure_local_secrets
from services.indicators import counted_state, read_model
from services.indicators.attainment import Filters
from tests.support.infrastructure import fresh_database

READS = 200
FRESHNESS_EVENTS = 100


@dataclass
class Served:
    """One read model size served by the service: what it cost."""

    events: int
    startup_ms: float = 0.0
    rss_rest: float = 0.0
    rss_peak: float = 0.0
    p50: dict[str, float] = field(default_factory=dict)
    freshness: list[float] = field(default_factory=list)


async def _reads(connection: HttpConnection, path: str, headers: dict[str, str]) -> float:
    latencies = []
    for _ in range(READS):
        started = time.perf_counter()
        status, body = await connection.get(path, headers)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}: {body[:300]!r}")
        orjson.loads(body)
        latencies.append((time.perf_counter() - started) * 1000)
    return percentile(latencies, 0.5)


def _busiest(answer: dict[str, object]) -> str:
    """A region and month filter: those with the most people in the first indicator."""
    first = answer["indicators"][0]  # type: ignore[index]
    region = max(first["regions"], key=lambda r: first["regions"][r])
    month = max(first["months"], key=lambda m: m["new"])["month"]
    year, number = (int(x) for x in month.split("-"))
    last = date(year + number // 12, number % 12 + 1, 1) - timedelta(days=1)
    return f"/attainment?region={region}&from={month}-01&to={last.isoformat()}"


async def _serve(
    found: Servers, url: str, event_set: events.EventSet, env: dict[str, str], token: str,
    fresh: bool,
) -> Served:  # fmt: skip
    """Start the service on a rebuilt read model, measure it, stop it."""
    out = Served(event_set.count)
    log = found.root / "logs" / f"scale-{event_set.count}.log"
    headers = {"Authorization": f"Bearer {token}"}
    with _served(url, event_set, env, log).running() as service:
        out.startup_ms = service.ready_after * 1000
        await asyncio.sleep(1.0)
        out.rss_rest = service.rss_mib()
        peak = out.rss_rest
        connection = HttpConnection(service.url)
        await connection.open()
        try:
            filtered = _busiest(orjson.loads((await connection.get("/attainment", headers))[1]))
            for name, path in (("unfiltered", "/attainment"), ("region+month", filtered)):
                out.p50[name] = await _reads(connection, path, headers)
                peak = max(peak, service.rss_mib())
            await _uncached(url, filtered, out)
            if fresh:
                out.freshness = await _freshness(found, service.url, event_set, headers)
            out.rss_peak = max(peak, service.rss_mib())
        finally:
            await connection.close()
    return out


async def _uncached(url: str, filtered: str, out: Served) -> None:
    """The database's part of a read the answer cache misses: the counted state aggregated
    (`counted_state.totals`), p50 over `READS` reads, unfiltered and filtered."""
    query = parse_qs(urlsplit(filtered).query)
    region, first, last = (query[k][0] for k in ("region", "from", "to"))
    lf = rebuild.logframe()
    narrowed = Filters(region, date.fromisoformat(first), date.fromisoformat(last))
    conn = await asyncpg.connect(url)
    try:
        for name, filters in (("unfiltered", Filters()), ("region+month", narrowed)):
            latencies = []
            for _ in range(READS):
                started = time.perf_counter()
                await counted_state.totals(conn, read_model.schema_of(lf), lf, filters)
                latencies.append((time.perf_counter() - started) * 1000)
            out.p50[f"{name}, database only"] = percentile(latencies, 0.5)
    finally:
        await conn.close()


async def _freshness(
    found: Servers, url: str, event_set: events.EventSet, headers: dict[str, str]
) -> list[float]:
    """Seconds from each event's publication to its `/positions` answer, reads running."""
    stop = asyncio.Event()

    async def reading() -> None:
        connection = HttpConnection(url)
        await connection.open()
        try:
            while not stop.is_set():
                await connection.get("/attainment", headers)
        finally:
            await connection.close()

    reader = asyncio.create_task(reading())
    producer = AIOKafkaProducer(**found.admin.options(), acks="all")
    await producer.start()
    delays = []
    watcher = HttpConnection(url)
    await watcher.open()
    try:
        for envelope in events.generate(FRESHNESS_EVENTS):
            key, value, kafka_headers = to_kafka(envelope)
            topic = event_set.topics[latest_model(envelope.type).aggregate]
            started = time.perf_counter()
            await producer.send_and_wait(topic, value, key=key, headers=kafka_headers)
            status, _ = await watcher.get(f"/positions/{envelope.id}?timeout=10", headers)
            if status == 200:
                delays.append(time.perf_counter() - started)
    finally:
        stop.set()
        await watcher.close()
        await producer.stop()
        await reader
    return delays


@contextlib.asynccontextmanager
async def _rebuilt(
    found: Servers,
    event_set: events.EventSet,
    into: list[rebuild.Pass],
    cpu: list[CpuSplit] | None = None,
) -> AsyncIterator[str]:
    """A database rebuilt from the set (its consumer at the end, as the service's); the CPU
    the rebuild cost goes to `cpu`."""
    consumer = read_model.consumer_of(rebuild.logframe(), READ_PREFIX)
    async with fresh_database(found.postgres, "bench_scale") as url:
        before = found.cpu()
        into.append(await rebuild.project(found, event_set, url, consumer))
        if cpu is not None:
            cpu.append(found.cpu() - before)
        yield url


async def run(n: int, baseline_rebuilds: int, print_: Callable[[str], None]) -> str:
    """Measure everything at `n` events and its baselines; the report as Markdown."""
    with servers() as found:
        secrets = ensure_local_secrets(found.root / "auth")
        token = issuer(secrets).token("me_officer")
        env = {
            **secrets,
            **found.env("admin"),
            "PANA_LOGFRAMES_DIR": str(rebuild.only_default_logframe(found.root / "logframes")),
        }
        (found.root / "logs").mkdir(exist_ok=True)
        sizes = {"large": n, "memory": n // 100, "reads": n // 1000, "tenth": n // 10}
        sets = {}
        for name, size in sizes.items():
            print_(f"publishing {size:,} events ({name})")
            sets[name] = await events.publish(found.admin, f"scale.{name}", size)
        tenth: list[rebuild.Pass] = []
        for i in range(baseline_rebuilds):
            print_(f"rebuilding {sizes['tenth']:,} events ({i + 1} of {baseline_rebuilds})")
            async with _rebuilt(found, sets["tenth"], tenth):
                pass
        served: dict[str, Served] = {}
        large: list[rebuild.Pass] = []
        cpu: list[CpuSplit] = []
        for name in ("reads", "memory", "large"):
            passes: list[rebuild.Pass] = large if name == "large" else []
            print_(f"rebuilding {sizes[name]:,} events and serving them")
            async with _rebuilt(found, sets[name], passes, cpu if name == "large" else None) as url:
                served[name] = await _serve(
                    found, url, sets[name], env, token, fresh=name == "large"
                )
        return _report(n, sizes, tenth, large[0], served, cpu[0])


def _report(
    n: int, sizes: dict[str, int], tenth: list[rebuild.Pass], large: rebuild.Pass,
    served: dict[str, Served], cpu: CpuSplit,
) -> str:  # fmt: skip
    big, mem, rd = served["large"], served["memory"], served["reads"]
    linear = 10 * statistics.median(p.total for p in tenth)
    fresh = sorted(big.freshness)
    lines = [
        f"# Indicators at scale: `python -m bench.scale --events {n}`",
        "",
        "| measure | at scale | baseline | ratio | target |",
        "| --- | --- | --- | --- | --- |",
        f"| RSS at rest (MiB) | {big.rss_rest:.0f} ({n:,}) | {mem.rss_rest:.0f} "
        f"({sizes['memory']:,}) | {big.rss_rest / mem.rss_rest:.2f}x | <= 1.2x |",
        f"| RSS peak under reads (MiB) | {big.rss_peak:.0f} | {mem.rss_peak:.0f} | "
        f"{big.rss_peak / mem.rss_peak:.2f}x | <= 1.2x |",
        f"| start-up to ready (ms) | {big.startup_ms:,.0f} ({n:,}) | {mem.startup_ms:,.0f} "
        f"({sizes['memory']:,}) | {big.startup_ms / mem.startup_ms:.2f}x | <= 1.2x |",
        *(
            f"| read p50, {k} (ms) | {big.p50[k]:.2f} ({n:,}) | {rd.p50[k]:.2f} "
            f"({sizes['reads']:,}) | {big.p50[k] / rd.p50[k]:.2f}x | <= 1.5x |"
            for k in big.p50
        ),
        f"| rebuild (s) | {large.total:.1f} ({n:,}) | {linear:.1f} (10 x "
        f"{sizes['tenth']:,}, median of {len(tenth)}) | {large.total / linear:.2f}x | <= 1.1x |",
        f"| projection rate (events/s) | {large.rate:,.0f} ({n:,}) | "
        f"{statistics.median(p.rate for p in tenth):,.0f} ({sizes['tenth']:,}) | | |",
        f"| freshness p99, Kafka -> /positions, reads running (s) | "
        f"{percentile(fresh, 0.99) if fresh else float('nan'):.3f} "
        f"({len(fresh)} of {FRESHNESS_EVENTS}) | | | < 0.5 s |",
        "",
        f"Rates over each tenth of the {n:,}-event rebuild: "
        + ", ".join(f"{r:,.0f}" for r in large.tenths)
        + " events/s.",
        "",
        _cpu_line(cpu, n),
    ]
    return "\n".join(lines) + "\n"


def _cpu_line(cpu: CpuSplit, n: int) -> str:
    """What the large rebuild cost the machine per event, and the rate that allows."""
    per = cpu.total / n
    cores = os.cpu_count() or 1
    return (
        f"CPU per event over the {n:,}-event rebuild: this process "
        f"{cpu.this_process / n * 1e6:.1f} µs, PostgreSQL {cpu.postgres / n * 1e6:.1f} µs, "
        f"Kafka {cpu.kafka / n * 1e6:.1f} µs (all: {per * 1e6:.1f} µs); with all {cores} "
        f"cores busy and nothing waiting, that allows at most {most_per_second(per):,.0f} "
        "events/s."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--baseline-rebuilds", type=int, default=1)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args(argv)
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    started = time.monotonic()
    text = uvloop.run(run(args.events, args.baseline_rebuilds, print))
    text += f"\n{(time.monotonic() - started) / 60:.1f} min in all.\n"
    print(text)
    if args.output:
        args.output.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
