"""Benchmark 1: event-store appends from concurrent clients, against `eventsourcing`'s recorder.

A command appends one event to a stream at the version its client last saw (optimistic
concurrency: the append fails if the stream moved). Each client writes its own streams, so no
command loses a race: the figure is the store's throughput, not a retry policy's. Both sides
write the same JSON payload to the same PostgreSQL server, from the same process.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from datetime import UTC, datetime

import asyncpg

from bench import eventsourcing_recorder
from bench.diagnostics import SessionSampler
from bench.figures import Figure, Samples
from bench.infrastructure import Servers
from bench.load import run_async
from bench.payload import PAYLOAD, STREAMS_PER_CLIENT
from bench.plan import Plan
from eventkit.schema import STORE_DDL, migrate
from eventkit.store import NewEvent, append, init_connection
from tests.support.infrastructure import fresh_database


async def our_rate(pool: asyncpg.Pool, plan: Plan) -> float:
    """Appends per second through `eventkit.store.append`, one transaction per command."""
    run = uuid.uuid4().hex[:8]
    versions: dict[str, int] = defaultdict(int)

    async def command(client: int, n: int) -> None:
        stream = f"bench-{run}-{client}-{n % STREAMS_PER_CLIENT}"
        event = NewEvent("voucher.redeemed", PAYLOAD, occurred_at=datetime.now(UTC))
        async with pool.acquire() as conn, conn.transaction():
            await append(conn, stream, versions[stream], [event])
        versions[stream] += 1

    rate, _, _ = await run_async(plan.clients, command, plan.seconds, plan.warmup)
    return rate


async def measure(found: Servers, plan: Plan) -> Figure:
    """Alternate ours and the baseline `plan.repeats` times, so drift hits both alike."""
    ours: list[float] = []
    theirs: list[float] = []
    aggregate_only: list[float] = []
    async with (
        fresh_database(found.postgres, "bench_appends") as url,
        fresh_database(found.postgres, "bench_es") as es_url,
    ):
        pool = await asyncpg.create_pool(
            url, min_size=plan.clients, max_size=plan.clients, init=init_connection
        )
        await migrate(pool, STORE_DDL)
        recorders = await asyncio.to_thread(eventsourcing_recorder.Recorders, es_url, plan.clients)
        sessions = SessionSampler()
        try:
            for _ in range(plan.repeats):
                async with sessions.sampling(url):
                    ours.append(await our_rate(pool, plan))
                theirs.append(await asyncio.to_thread(recorders.application_rate, plan))
                aggregate_only.append(await asyncio.to_thread(recorders.aggregate_rate, plan))
        finally:
            await pool.close()
            await asyncio.to_thread(recorders.close)
    baseline = Samples("appends/s", tuple(theirs))
    result = Samples("appends/s", tuple(ours))
    aggregate = Samples("appends/s", tuple(aggregate_only))
    return Figure(
        benchmark="1. event-store appends",
        measure=f"commands/s, {plan.clients} clients, 1 event each",
        ours=result,
        baseline=baseline,
        baseline_name="eventsourcing PostgresApplicationRecorder",
        target=">= 2x",
        holds=result.median >= 2 * baseline.median,
        notes=(
            "eventsourcing PostgresAggregateRecorder (no global order, no table lock): "
            f"{aggregate.summary()}",
            f"our database sessions during appends: {sessions.summary()}",
        ),
    )
