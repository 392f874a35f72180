"""Replays: a consumer reading its topics from the start says so until it has caught up.

A consumer that finds no stored offset for a partition (a new read model, a rebuild) records the
partition's end offset as of that moment in `replay_targets`, in its own database. Until every
such partition's stored offset reaches its target, the read model holds a part of the history
and its figures are partial: `progress` says how far it is, readers say `rebuilding` and the
metric `pana_projection_replay_remaining` counts what is left. The targets are stored, so a
restart in the middle of a replay still knows it is replaying; they are deleted once reached.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import asyncpg
from aiokafka import TopicPartition

from eventkit.metrics import REPLAY_REMAINING

_SET = """
INSERT INTO replay_targets (consumer, topic, partition, target)
SELECT $1, * FROM unnest($2::text[], $3::int[], $4::bigint[])
ON CONFLICT (consumer, topic, partition) DO UPDATE SET target = EXCLUDED.target
"""

_PROGRESS = """
SELECT coalesce(sum(least(coalesce(o.next_offset, 0), t.target)), 0) AS done,
       coalesce(sum(t.target), 0) AS total
FROM replay_targets t
LEFT JOIN consumer_offsets o USING (consumer, topic, partition)
WHERE t.consumer = $1
"""


@dataclass(frozen=True)
class Replay:
    """A replay under way: records read of those that existed when it started."""

    done: int
    total: int

    @property
    def progress(self) -> float:
        """The share read, 0 to 1 (rounded down to a thousandth: 1 only once complete)."""
        return int(1000 * self.done / self.total) / 1000 if self.total else 1.0

    def describe(self) -> str:
        return f"rebuilding: {self.done:,} of {self.total:,} records read ({self.progress:.1%})"


async def start(
    pool: asyncpg.Pool, consumer: str, end_offsets: Mapping[TopicPartition, int]
) -> None:
    """Record the partitions read from their start, with their end offsets as of now."""
    wanted = {tp: end for tp, end in end_offsets.items() if end > 0}
    if wanted:
        await pool.execute(
            _SET,
            consumer,
            [tp.topic for tp in wanted],
            [tp.partition for tp in wanted],
            list(wanted.values()),
        )


async def progress(pool: asyncpg.Pool, consumer: str) -> Replay | None:
    """The replay under way, or None once every target was reached (the targets are dropped)."""
    row = await pool.fetchrow(_PROGRESS, consumer)
    assert row is not None  # an aggregate always returns a row
    done, total = int(row["done"]), int(row["total"])
    if done >= total:
        if total:
            await pool.execute("DELETE FROM replay_targets WHERE consumer = $1", consumer)
        REPLAY_REMAINING.labels(consumer).set(0)
        return None
    REPLAY_REMAINING.labels(consumer).set(total - done)
    return Replay(done, total)
