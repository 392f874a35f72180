"""Benchmarks 2 and 5: projection throughput, rebuild scaling and dashboard read latency.

All three read event sets published once per run (`bench.events`): a small and a large rebuild
set (10x apart) and a read-model set per dashboard size. The first large rebuild's database is
kept for the read-latency figure: two indicators service processes serve it and the small read
model at once, and are read in turns.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench import dashboard_reads, events, rebuild
from bench.diagnostics import CpuSplit, ServerWork, most_per_second, profile_top
from bench.figures import Figure, Samples
from bench.infrastructure import Servers
from bench.memory import MemoryLog
from bench.plan import Plan
from bench.processes import ServiceProcess
from eventkit.settings import ServiceSettings
from services.indicators import read_model
from services.indicators.projection import MAX_BATCH
from tests.support.infrastructure import fresh_database
from tests.support.services import Keys

READ_PREFIX = "benchread"
DEFAULT_TIMEOUT = ServiceSettings.model_fields["database_command_timeout_seconds"].default
"""The read-latency processes run with the service's database command timeout: start-up loads
the whole read model in cursor pages, each well inside it."""


@dataclass
class Rebuilds:
    small_rate: list[float] = field(default_factory=list)
    small_collecting: list[float] = field(default_factory=list)
    default_collector: list[rebuild.Pass] = field(default_factory=list)
    bare_small_rate: list[float] = field(default_factory=list)
    prepared_small_rate: list[float] = field(default_factory=list)
    """The bare read plus the projection's CPU work per event, no database (`prepared_read`)."""
    small_total: list[float] = field(default_factory=list)
    large_total: list[float] = field(default_factory=list)
    large_rate: list[float] = field(default_factory=list)
    bare_large_rate: list[float] = field(default_factory=list)
    small_work: list[ServerWork] = field(default_factory=list)
    small_cpu: list[CpuSplit] = field(default_factory=list)
    """The CPU each small rebuild cost this process, PostgreSQL and Kafka."""
    bare_cpu: list[CpuSplit] = field(default_factory=list)
    large_work: list[ServerWork] = field(default_factory=list)
    large_collecting: list[float] = field(default_factory=list)
    large_tenths: tuple[float, ...] = ()
    """Events/s over each tenth of the first large rebuild."""
    beside_large_total: list[float] = field(default_factory=list)
    """Small rebuilds timed just before and after each large one: 5a's baseline, so that a
    machine running faster or slower over the run weighs on both sizes alike."""


async def _reads(
    found: Servers,
    plan: Plan,
    env: dict[str, str],
    keys: Keys,
    memory: MemoryLog,
    models: Sequence[tuple[str, events.EventSet, dashboard_reads.Reads]],
    deadline: float,
) -> None:
    """Serve each read model (database URL, its event set) at once and read them in turns."""
    async with contextlib.AsyncExitStack() as stack:
        served = []
        for url, event_set, into in models:
            log = found.root / "logs" / f"indicators-{event_set.count}.log"
            service = stack.enter_context(_served(url, event_set, env, log).running())
            into.startup.append(service.ready_after * 1000)
            served.append(dashboard_reads.Served(service, url, event_set, into))
        for one in served:
            name = f"indicators ({one.events.count:,}-event read model)"
            memory.rest(name, one.service)
            await stack.enter_async_context(memory.sampling(name, one.service, "dashboard reads"))
        await dashboard_reads.measure(
            served, found.admin, rebuild.logframe(), keys.token("me_officer"),
            plan.read_repeats, plan.reads, deadline,
        )  # fmt: skip


def _served(
    url: str, events_set: events.EventSet, env: dict[str, str], log: Path
) -> ServiceProcess:
    """The indicators service on a rebuilt read model, its consumer at the end of the set."""
    return dashboard_reads.serving(url, events_set, env, log, READ_PREFIX)


async def measure(
    found: Servers,
    plan: Plan,
    env: dict[str, str],
    keys: Keys,
    memory: MemoryLog,
    say: Callable[[str], None],
    add: Callable[[Figure], None],
    deadline: float,
) -> None:
    """Benchmarks 2, 5a and 5b, each figure handed to `add` as soon as it is measured.

    Past `deadline` (monotonic) no further large rebuild starts: the figure says how many ran.
    """
    small_n, large_n = plan.rebuild_sizes
    say(f"   publishing {small_n:,} + {large_n:,} + {plan.read_sizes[0]:,} events to Kafka")
    small = await events.publish(found.admin, "bench.small", small_n)
    large = await events.publish(found.admin, "bench.large", large_n)
    read_small = await events.publish(found.admin, "bench.read", plan.read_sizes[0])
    assert plan.read_sizes[1] == large_n, "the large read model is the large rebuild's"
    got = Rebuilds()
    for _ in range(plan.repeats):
        before = found.cpu()
        got.bare_small_rate.append((await rebuild.bare_read(found, small)).rate)
        got.bare_cpu.append(found.cpu() - before)
        got.prepared_small_rate.append((await rebuild.prepared_read(found, small)).rate)
        done = await _counted(found, small, got.small_work, cpu=got.small_cpu)
        got.small_rate.append(done.rate)
        got.small_total.append(done.total)
        got.small_collecting.append(done.collecting)
    got.default_collector.append(await rebuild.rebuild(found, small, service_collector=False))
    _, where = await profile_top(rebuild.rebuild(found, read_small))
    add(_throughput(plan, got, where))
    consumer = read_model.consumer_of(rebuild.logframe(), READ_PREFIX)
    reads = {size: dashboard_reads.Reads() for size in plan.read_sizes}
    async with fresh_database(found.postgres, "bench_read_large") as kept:
        got.bare_large_rate.append((await rebuild.bare_read(found, large)).rate)
        got.beside_large_total.append((await _counted(found, small, got.small_work)).total)
        for i in range(plan.large_repeats):
            if i > 0 and time.monotonic() + 2 * got.large_total[-1] > deadline:
                say("   no further large rebuild: it would overrun the time budget")
                break
            # The first rebuild fills the database the read-latency figure reads.
            if i == 0:
                done = await _counted(found, large, got.large_work, kept, consumer)
            else:
                done = await _counted(found, large, got.large_work)
            got.large_total.append(done.total)
            got.large_collecting.append(done.collecting)
            got.large_rate.append(done.rate)
            got.large_tenths = got.large_tenths or done.tenths
            say(f"   large rebuild {i + 1}: {done.total:.1f} s")
            got.beside_large_total.append((await _counted(found, small, got.small_work)).total)
        add(_scaling(plan, got))
        async with fresh_database(found.postgres, "bench_read_small") as small_url:
            await rebuild.project(found, read_small, small_url, consumer)
            small_size, large_size = plan.read_sizes
            models = ((small_url, read_small, reads[small_size]), (kept, large, reads[large_size]))
            await _reads(found, plan, env, keys, memory, models, deadline)
    add(_latency(plan, reads))


async def _counted(
    found: Servers,
    event_set: events.EventSet,
    work: list[ServerWork],
    url: str | None = None,
    consumer: str | None = None,
    cpu: list[CpuSplit] | None = None,
) -> rebuild.Pass:
    """A rebuild into the database at `url` (a fresh one, dropped after, when None), adding
    what it made PostgreSQL do to `work` (and the CPU it cost to `cpu`); creating and dropping
    the database are left out."""
    if url is None:
        async with fresh_database(found.postgres, "bench_rebuild") as fresh:
            return await _counted(found, event_set, work, fresh, cpu=cpu)
    before = await ServerWork.now(found.url("postgres"))
    cpu_before = found.cpu()
    done = await rebuild.project(found, event_set, url, consumer)
    if cpu is not None:
        cpu.append(found.cpu() - cpu_before)
    work.append(await ServerWork.now(found.url("postgres")) - before)
    return done


def _seconds(values: list[float]) -> str:
    spread = f"{min(values):.2f}-{max(values):.2f}"
    return f"{statistics.median(values):.2f} s ({spread})"


def _throughput(plan: Plan, got: Rebuilds, where: str) -> Figure:
    ours = Samples("events/s", tuple(got.small_rate))
    bare = Samples("events/s", tuple(got.bare_small_rate))
    prepared = Samples("events/s", tuple(got.prepared_small_rate))
    return Figure(
        benchmark="2. projection throughput",
        measure=f"events/s applied rebuilding {plan.rebuild_sizes[0]:,} events from Kafka",
        ours=ours,
        baseline=bare,
        baseline_name="bare aiokafka consumer, read + decode only",
        target=">= 0.5x",
        holds=ours.median >= 0.5 * bare.median,
        notes=(
            f"the runner as the service runs it: batches of up to {MAX_BATCH:,} events, each "
            f"read and decoded while the previous one is written"
            + (
                f"; at {plan.rebuild_sizes[0]:,} events that is a batch or two, and the steady "
                "window (first applied event to last) leaves the first batch out: not a "
                "meaningful rate at this size"
                if plan.rebuild_sizes[0] < 10 * MAX_BATCH
                else ""
            ),
            f"the bare read plus the projection's own CPU work on each event (its data validated "
            f"against its contract, its facts derived), writing nothing: {prepared.summary()} "
            f"({prepared.median / bare.median:.2f}x the bare consumer): no rebuild in one Python "
            "process goes faster, whatever its writes cost",
            _cpu_line(got, bare, plan.rebuild_sizes[0]),
            f"cycle collector during each rebuild with the service's settings "
            f"(eventkit/collector.py): {_seconds(got.small_collecting)} of "
            f"{_seconds(got.small_total)}; one more rebuild with CPython's defaults: "
            + ", ".join(
                f"{p.collecting:.2f} s of {p.total:.1f} s ({p.rate:,.0f} events/s)"
                for p in got.default_collector
            ),
            f"CPU profile of a rebuild of {plan.read_sizes[0]:,} events (cProfile, share of "
            f"self time): {where}",
        ),
    )


def _cpu_line(got: Rebuilds, bare: Samples, events: int) -> str:
    """The CPU a rebuild costs the machine per event, and the rate that allows on its cores."""

    def micros(values: list[float]) -> str:
        return f"{statistics.median(values) / events * 1e6:.1f} µs"

    ours, theirs = got.small_cpu, got.bare_cpu
    total = statistics.median(c.total for c in ours) / events
    cores = os.cpu_count() or 1
    most = most_per_second(total)
    return (
        "CPU per event over whole rebuilds (start-up included): this process "
        f"{micros([c.this_process for c in ours])}, "
        f"PostgreSQL {micros([c.postgres for c in ours])}, Kafka "
        f"{micros([c.kafka for c in ours])} (all: {total * 1e6:.1f} µs); the bare consumer: "
        f"this process {micros([c.this_process for c in theirs])}, Kafka "
        f"{micros([c.kafka for c in theirs])}. With all {cores} cores busy and nothing "
        f"waiting, {total * 1e6:.1f} µs per event allows at most {most:,.0f} events/s, "
        f"{most / bare.median:.2f}x the bare consumer"
    )


def _scaling(plan: Plan, got: Rebuilds) -> Figure:
    small_n, large_n = plan.rebuild_sizes
    factor = large_n / small_n
    linear = Samples("s", tuple(t * factor for t in got.beside_large_total))
    large = Samples("s", tuple(got.large_total))
    return Figure(
        benchmark="5a. rebuild scaling",
        measure=f"rebuild time of {large_n:,} events (s)",
        ours=large,
        baseline=linear,
        baseline_name=(
            f"{factor:.0f}x the rebuild time of {small_n:,} events (linear), timed just before "
            "and after each large rebuild"
        ),
        target="<= 1.0x (linear or better)",
        holds=large.median <= linear.median,
        notes=(
            f"rebuild of {small_n:,}: {Samples('s', tuple(got.beside_large_total)).summary()} "
            f"beside the large ones, {Samples('s', tuple(got.small_total)).summary()} in "
            f"benchmark 2; of {large_n:,}: {large.summary()} ({len(got.large_total)} of "
            f"{plan.large_repeats} runs within the time budget)",
            f"steady rate at {large_n:,}: {Samples('events/s', tuple(got.large_rate)).summary()}"
            f"; bare read+decode at {large_n:,}: "
            f"{Samples('events/s', tuple(got.bare_large_rate)).summary()}",
            f"rate over each tenth of the first {large_n:,}-event rebuild, as the read model "
            f"grows: {', '.join(f'{r:,.0f}' for r in got.large_tenths) or 'not measured'} "
            "events/s (timed from its first applied event)",
            f"cycle collector, rebuilding {small_n:,}: {_seconds(got.small_collecting)}; "
            f"rebuilding {large_n:,}: {_seconds(got.large_collecting)}",
            f"PostgreSQL, rebuilding {small_n:,}: "
            f"{ServerWork.per_event(got.small_work, small_n)}; rebuilding {large_n:,}: "
            f"{ServerWork.per_event(got.large_work, large_n)}",
        ),
    )


def _latency(plan: Plan, reads: dict[int, dashboard_reads.Reads]) -> Figure:
    small_n, large_n = plan.read_sizes
    small, large = reads[small_n], reads[large_n]
    ours = Samples("ms", tuple(large.warm_p50))
    base = Samples("ms", tuple(small.warm_p50))
    return Figure(
        benchmark="5b. dashboard read latency",
        measure=f"GET /attainment p50 (ms), read model of {large_n:,} events",
        ours=ours,
        baseline=base,
        baseline_name=f"the same read with {small_n:,} events",
        target="<= 1.5x (flat)",
        holds=ours.median <= 1.5 * base.median,
        notes=(
            f"warm p99: {small_n:,} events {Samples('ms', tuple(small.warm_p99)).summary()}, "
            f"{large_n:,} events {Samples('ms', tuple(large.warm_p99)).summary()}",
            f"first read after a change (one new event: its subjects recounted by the "
            f"projection, the read a query of kept cells): {small_n:,} events "
            f"{_ms(small.after_change)}, {large_n:,} events {_ms(large.after_change)} "
            f"({len(large.after_change)} samples{'; ' + large.skipped if large.skipped else ''})",
            f"start-up to ready (a connection and a first read of the kept cells): {small_n:,} "
            f"events {_ms(small.startup)}, {large_n:,} events {_ms(large.startup)} (with the "
            f"service's {DEFAULT_TIMEOUT:g} s database command timeout); first read after it: "
            f"{small_n:,} events {_ms(small.first)}, {large_n:,} events {_ms(large.first)}",
        ),
    )


def _ms(values: list[float]) -> str:
    return Samples("ms", tuple(values)).summary() if values else "not measured"
