"""`python -m tests.support.counting_consumer`: a consumer process for the crash tests.

Its projection counts the events it applies. `--hold` keeps each batch's transaction open that
many seconds before commit, so a SIGKILL lands mid-batch.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from collections.abc import Sequence

import asyncpg

from eventkit.consumer import ConsumerRunner, Delivered
from eventkit.kafka_access import access_from_env
from eventkit.store import Connection, init_connection

COUNTER_DDL = "CREATE TABLE IF NOT EXISTS event_count (id int PRIMARY KEY, n bigint NOT NULL)"


class Counting:
    def __init__(self, hold: float) -> None:
        self.hold = hold

    async def apply(self, conn: Connection, events: Sequence[Delivered]) -> None:
        await conn.execute(
            "INSERT INTO event_count VALUES (1, $1)"
            " ON CONFLICT (id) DO UPDATE SET n = event_count.n + $1",
            len(events),
        )
        await asyncio.sleep(self.hold)  # fault injection: widen the mid-batch window


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--bootstrap-servers", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--consumer", required=True)
    parser.add_argument("--hold", type=float, default=0.0)
    parser.add_argument("--max-batch", type=int, default=100)
    args = parser.parse_args()
    pool = await asyncpg.create_pool(args.database_url, min_size=1, init=init_connection)
    runner = ConsumerRunner(
        pool,
        access_from_env(args.bootstrap_servers),
        consumer=args.consumer,
        topics=[args.topic],
        projection=Counting(args.hold),
        max_batch=args.max_batch,
    )
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, runner.stop)
    await runner.run()
    await pool.close()


if __name__ == "__main__":
    asyncio.run(main())
