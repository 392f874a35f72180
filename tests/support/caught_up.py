"""Wait until a consumer has applied everything its topics hold: a figure read earlier is a part
of the history.

A service's consumer that starts a new group replays its topics from the beginning, and the
session's topics keep what every earlier test module wrote. The indicators service is ready only
once its default logframe version has replayed (and not even that before the group is assigned
its partitions): a test that reads another version, or that reads before the assignment, must
wait for the consumer's stored offsets to reach the topics' end offsets itself (`caught_up`).
A test whose services need none of that history starts their consumers at the end instead
(`start_at_end`): late in the suite the replay is thousands of events per service started.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from contracts.topics import CASES, PARTICIPANTS, REFERRALS, VOUCHERS
from eventkit.kafka_access import KafkaAccess
from eventkit.schema import CONSUMER_DDL
from eventkit.topic_offsets import end_offsets
from services.indicators import read_model
from services.indicators.logframe import load_directory
from tests.support.waiting import until

SOURCE_TOPICS = [t.name for t in (PARTICIPANTS, CASES, REFERRALS, VOUCHERS)]
"""The topics the services write and their copies and the indicators read."""


async def caught_up(
    database_url: str,
    consumer: str,
    access: KafkaAccess,
    topics: Sequence[str],
    within: float = 120.0,
) -> float:
    """Return once `consumer` (its offsets stored in `database_url`, as `eventkit.consumer`
    keeps them) has applied every record `topics` hold now; the seconds it took."""
    ends = {key: end for key, end in (await end_offsets(access, topics)).items() if end > 0}
    conn = await asyncpg.connect(database_url)
    try:

        async def reached() -> bool:
            rows = await conn.fetch(
                "SELECT topic, partition, next_offset FROM consumer_offsets WHERE consumer = $1",
                consumer,
            )
            stored = {(r["topic"], r["partition"]): r["next_offset"] for r in rows}
            return all(stored.get(key, 0) >= end for key, end in ends.items())

        return await until(reached, within, f"{consumer} at its topics' end offsets {ends}")
    finally:
        await conn.close()


async def start_at_end(
    database_url: str, consumers: Sequence[str], access: KafkaAccess, topics: Sequence[str]
) -> None:
    """Store the topics' end offsets now as where `consumers` (their offsets kept in the fresh
    database `database_url`, before their service starts) read next: they begin with what comes
    after, not with a replay of everything the session's earlier modules wrote.

    A test module whose figures are its own events starts its services with this; replays are
    proven by their own tests (`tests/integration/test_replay.py`, the indicators' warm-up).
    """
    ends = await end_offsets(access, topics)
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(CONSUMER_DDL)
        await conn.executemany(
            "INSERT INTO consumer_offsets (consumer, topic, partition, next_offset)"
            " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            [
                (c, topic, partition, end)
                for c in consumers
                for (topic, partition), end in ends.items()
            ],
        )
    finally:
        await conn.close()


def indicators_consumers(prefix: str) -> list[str]:
    """The indicators service's consumers under `prefix`: one per logframe version it serves
    (the default folder's)."""
    return [read_model.consumer_of(lf, prefix) for lf in load_directory().values()]
