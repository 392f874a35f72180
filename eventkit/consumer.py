"""The consumer runner: effectively-once projection of Kafka topics into PostgreSQL.

Each batch is applied in one PostgreSQL transaction together with (a) the ids of the events it
applied and (b) the next offset of every partition it read. Kafka's own committed offsets are only
written afterwards, best effort, for lag monitoring: the stored offsets are the truth.

- On assignment the consumer seeks to the stored offsets (beginning when none), so a crash
  mid-batch (the transaction rolls back) re-reads exactly the unapplied records.
- On revocation the listener waits for the batch in flight to commit, and records of partitions
  no longer assigned are dropped before applying, so two members never apply the same batch.
- Event ids already applied are skipped inside the transaction: a duplicate published by a relay
  that crashed (same `ce_id`, new offset) never counts twice.
- An unreadable message (bad JSON, unknown type or version) goes to the dead-letter topic with
  the reason and its origin, and the consumer keeps going; so does an event the projection
  rejects (`apply` returns it: its data fails its model), sent before the batch commits, and an
  event on an owned topic that is not its owner's (`contracts.topics.not_from_owner`: another
  `source`, or a type another service emits). The broker's ACLs already keep other principals
  off each topic; this second check keeps a forged `source` out of every read model.
- History must be whole: a partition with no stored offset is read from its beginning, and if
  its log no longer starts at offset 0 (records deleted by retention or by hand) the consumer
  refuses to project anything and its readiness check names the topic and partition; the
  operator restores the topic (`deploy.ops republish`) instead of reading partial figures.
- A partition read from its beginning is a replay: its end offset as of then is stored, and
  until the stored offsets reach it `replay` says how far the consumer is (`eventkit.replay`);
  readers say their figures are partial, and with `ready_while_replaying=False` the readiness
  check fails meanwhile (and before the partitions are first assigned). With `catch_up_after`,
  a consumer whose stored offsets are more records behind than that when its partitions are
  assigned (a restart after downtime) replays up to the end offsets as of then, the same way.
  A projection with a `caught_up(conn)` method is called once a replay is over, before the
  runner says so: what it deferred meanwhile is done in time.
- The next batch is read (and prepared, when the projection has a `prepare`) while the previous
  one is written: CPU work overlaps PostgreSQL's, transactions still run one at a time, in order.
  A committed batch's metrics and Kafka's informational offsets are handled once the next
  batch's task exists, so the broker's round trip overlaps that batch's statements.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from time import time_ns
from typing import NamedTuple, Protocol

import asyncpg
import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from aiokafka.structs import ConsumerRecord, OffsetAndMetadata
from opentelemetry import trace
from opentelemetry.propagate import extract
from opentelemetry.trace import Link, SpanKind

from contracts.envelope import Envelope, InvalidMessage, from_kafka
from contracts.topics import (
    DEADLETTER_ORIGIN_HEADER,
    DEADLETTER_REASON_HEADER,
    DEADLETTER_TOPIC,
    SOURCE_BY_TOPIC,
    not_from_owner,
)
from eventkit import replay
from eventkit.kafka_access import KafkaAccess, as_access
from eventkit.metrics import APPLIED, CONSUMER_LAG, FRESHNESS
from eventkit.replay import Replay
from eventkit.store import Connection
from eventkit.telemetry import tracing_installed

log = structlog.get_logger("eventkit.consumer")
tracer = trace.get_tracer("eventkit.consumer")

# GREATEST: a member that lost its partitions can never move the stored position backwards.
_STORE_OFFSETS = """
INSERT INTO consumer_offsets (consumer, topic, partition, next_offset)
SELECT $1, * FROM unnest($2::text[], $3::int[], $4::bigint[])
ON CONFLICT (consumer, topic, partition) DO UPDATE
SET next_offset = GREATEST(consumer_offsets.next_offset, EXCLUDED.next_offset)
"""


class Delivered(NamedTuple):
    """An event read from Kafka, with where it was read."""

    envelope: Envelope
    topic: str
    partition: int
    offset: int


@dataclass(slots=True)
class _Part:
    """One partition's records of a batch: the readable ones, the rest with why not."""

    partition: TopicPartition
    records: list[ConsumerRecord[bytes, bytes]]
    delivered: list[Delivered]
    unreadable: list[tuple[ConsumerRecord[bytes, bytes], str]]


_STAGE_CHUNK = 32
"""Records read between two chances for the batch in flight to move on: small, so that each of
its statements is sent as soon as the previous one returns (a chunk of 250 kept it waiting long
enough to halve the rebuild rate, measured with `python -m bench`)."""


# The ids travel as one comma-separated text (ids are canonical UUIDs): no per-value encoding.
# Only the ids applied before come back, and there are none outside redelivery.
_MARK_PROCESSED = """
WITH batch AS (SELECT unnest(string_to_array($2::text, ','))::uuid AS event_id),
inserted AS (
    INSERT INTO processed_events (consumer, event_id)
    SELECT $1, event_id FROM batch ORDER BY event_id
    ON CONFLICT DO NOTHING RETURNING event_id
)
SELECT array_agg(event_id::text) FROM batch
WHERE event_id NOT IN (SELECT event_id FROM inserted)
"""


class _Committed(NamedTuple):
    """A batch once committed: the events applied and the next offset of each partition."""

    fresh: list[Delivered]
    next_offsets: dict[TopicPartition, int]


_NOTHING = _Committed([], {})


@dataclass(frozen=True)
class Rejected:
    """An event a projection could not apply (its data is invalid), and why."""

    delivered: Delivered
    reason: str


class Projection(Protocol):
    """A read model fed by the runner; `apply` runs inside the batch's transaction.

    It may return the events it rejects: the runner sends them to the dead-letter topic (with
    the reason and origin, before the batch commits) and consumption goes on. A projection may
    also have a `prepare(events)` method, pure CPU work with no database: the runner calls it
    with each batch's events as they are read, while the previous batch is being written, then
    `apply` with those never applied before (a subset). `apply` must give the same result
    whether or not `prepare` ran.
    """

    async def apply(
        self, conn: Connection, events: Sequence[Delivered]
    ) -> Sequence[Rejected] | None: ...


class ConsumerRunner:
    """Consumes `topics` as `consumer` (the group id and the name offsets are stored under)."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        kafka: KafkaAccess | str,
        *,
        consumer: str,
        topics: Sequence[str],
        projection: Projection,
        max_batch: int = 500,
        group_instance_id: str | None = None,
        deadletter_topic: str = DEADLETTER_TOPIC,
        ready_while_replaying: bool = True,
        owners: Mapping[str, str] = SOURCE_BY_TOPIC,
        catch_up_after: int | None = None,
        max_poll_interval_ms: int = 300_000,
    ) -> None:
        self.pool = pool
        self.kafka = as_access(kafka)
        self.consumer = consumer
        self.topics = list(topics)
        self.projection = projection
        self.max_batch = max_batch
        self.group_instance_id = group_instance_id
        self.deadletter_topic = deadletter_topic
        self.owners = owners
        self.applied = 0
        self._batch_lock = asyncio.Lock()
        self._assignments = 0  # partition assignments so far (records read before are stale)
        self._stopping = asyncio.Event()
        self._kafka: AIOKafkaConsumer | None = None
        self.truncated: list[str] = []
        """Partitions whose history was lost, as `topic[partition] starts at offset N`."""
        self.ready_while_replaying = ready_while_replaying
        self.catch_up_after = catch_up_after
        self.max_poll_interval_ms = max_poll_interval_ms
        """How long one batch may take before Kafka counts this member gone (Kafka's
        `max.poll.interval.ms`; its default unless a projection's batches may take longer)."""
        self.replay: Replay | None = None
        """The replay under way (partial figures), or None (see `eventkit.replay`)."""

    @property
    def name(self) -> str:
        """The readiness check's name."""
        return f"history of {self.consumer}"

    async def check(self) -> None:
        """Readiness: refuse while a source partition's history is incomplete."""
        if self.truncated:
            raise TruncatedHistory(
                f"{'; '.join(self.truncated)}, not 0: events were deleted from Kafka, so "
                "nothing is projected; restore the topic with `deploy.ops republish`"
            )
        if self.ready_while_replaying:
            return
        if not self._assignments:
            raise RuntimeError("waiting for its partitions to be assigned")
        if self.replay is not None:
            raise RuntimeError(self.replay.describe())

    def stop(self) -> None:
        """Finish the batch in flight, leave the group, return from `run()`."""
        self._stopping.set()

    async def run(self) -> None:
        """Consume until stopped; reconnect after broker or database outages."""
        while not self._stopping.is_set():
            try:
                await self._consume()
            except Exception as exc:  # outlive outages; the offsets are safe
                log.warning("consumer.error", consumer=self.consumer, error=repr(exc)[:300])
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), 1.0)

    async def _consume(self) -> None:
        kafka = AIOKafkaConsumer(
            **self.kafka.options(),
            group_id=self.consumer,
            group_instance_id=self.group_instance_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            max_poll_records=self.max_batch,
            max_poll_interval_ms=self.max_poll_interval_ms,
        )
        producer = AIOKafkaProducer(**self.kafka.options(), enable_idempotence=True, acks="all")
        await kafka.start()
        await producer.start()
        self._kafka = kafka
        in_flight: asyncio.Task[_Committed] | None = None
        try:
            kafka.subscribe(self.topics, listener=_Rebalance(self, kafka))
            while not self._stopping.is_set():
                wait = 0 if in_flight is not None else 200
                batch = await kafka.getmany(timeout_ms=wait, max_records=self.max_batch)
                epoch = self._assignments
                # Read and prepare this batch while the previous one is being written: the
                # CPU work here overlaps PostgreSQL's. Transactions still run one at a time,
                # in order (each batch starts once the previous one committed).
                staged = await self._stage(batch) if batch else None
                committed = None
                if in_flight is not None:
                    committed = await in_flight
                    in_flight = None
                if staged:
                    in_flight = asyncio.create_task(self._apply(kafka, producer, staged, epoch))
                if committed is not None:
                    # The next batch's task starts at the first await here: Kafka's round
                    # trip overlaps its statements (the metrics, synchronous, come before).
                    _measure(self.consumer, kafka, committed)
                    await self._commit_to_kafka(kafka, committed.next_offsets)
                    if self.replay is not None and committed.next_offsets:
                        replaying = await replay.progress(self.pool, self.consumer)
                        if replaying is None:
                            await self._caught_up()
                        self.replay = replaying
        finally:
            try:
                if in_flight is not None:
                    # Finish the batch in flight (its error, if any, is raised).
                    _measure(self.consumer, kafka, await in_flight)
            finally:
                self._kafka = None
                await producer.stop()
                await kafka.stop()

    async def _stage(
        self, batch: dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]
    ) -> list[_Part]:
        """Read each record as an envelope (or why not) and let the projection prepare them."""
        parts: list[_Part] = []
        prepare = getattr(self.projection, "prepare", None)
        for tp, records in batch.items():
            part = _Part(tp, records, [], [])
            parts.append(part)
            topic, partition = tp.topic, tp.partition
            delivered = part.delivered
            for start in range(0, len(records), _STAGE_CHUNK):
                first = len(delivered)
                for record in records[start : start + _STAGE_CHUNK]:
                    try:
                        envelope = from_kafka(record.headers, record.value or b"")
                    except InvalidMessage as bad:
                        part.unreadable.append((record, bad.reason))
                        continue
                    foreign = not_from_owner(topic, envelope.type, envelope.source, self.owners)
                    if foreign is not None:
                        part.unreadable.append((record, foreign))
                        continue
                    delivered.append(Delivered(envelope, topic, partition, record.offset))
                if prepare is not None:
                    prepare(delivered[first:])
                await asyncio.sleep(0)  # let the batch in flight send its next statement
        return parts

    async def _apply(
        self,
        kafka: AIOKafkaConsumer,
        producer: AIOKafkaProducer,
        staged: list[_Part],
        epoch: int,
    ) -> _Committed:
        async with self._batch_lock:
            if epoch != self._assignments or self.truncated:
                # Read before a rebalance: the new assignment sought the stored offsets, so
                # these records are read again (applying them now would dead-letter twice).
                return _NOTHING
            owned = kafka.assignment()
            parts = [part for part in staged if part.partition in owned]
            if not parts:
                return _NOTHING
            delivered: list[Delivered] = []
            next_offsets: dict[TopicPartition, int] = {}
            for part in parts:
                for record, reason in part.unreadable:
                    await self._dead_letter(producer, record, reason)
                delivered += part.delivered
                next_offsets[part.partition] = part.records[-1].offset + 1
            async with self.pool.acquire() as conn, conn.transaction():
                fresh = await self._first_time(conn, delivered)
                with _span(fresh):
                    rejected = await self.projection.apply(conn, fresh)
                if rejected:
                    records = {
                        (part.partition.topic, part.partition.partition, r.offset): r
                        for part in parts
                        for r in part.records
                    }
                    for reject in rejected:
                        d = reject.delivered
                        origin = records[(d.topic, d.partition, d.offset)]
                        await self._dead_letter(producer, origin, reject.reason)
                await conn.execute(
                    _STORE_OFFSETS,
                    self.consumer,
                    [tp.topic for tp in next_offsets],
                    [tp.partition for tp in next_offsets],
                    list(next_offsets.values()),
                )
            self.applied += len(fresh)
            return _Committed(fresh, next_offsets)

    async def _caught_up(self) -> None:
        """Let the projection finish what it deferred while replaying (in its own transaction,
        after the batch in flight)."""
        hook = getattr(self.projection, "caught_up", None)
        if hook is not None:
            async with self._batch_lock, self.pool.acquire() as conn, conn.transaction():
                await hook(conn)

    async def _first_time(self, conn: Connection, delivered: list[Delivered]) -> list[Delivered]:
        """The events never applied before (a duplicate inside the batch counts once too)."""
        if not delivered:
            return []
        ids = [d.envelope.id for d in delivered]
        seen = await conn.fetchval(_MARK_PROCESSED, self.consumer, ",".join(ids))
        if not seen and len(set(ids)) == len(ids):
            return delivered  # the usual case: all new, no repeats
        done = set(seen or ())
        fresh = []
        for item, event_id in zip(delivered, ids, strict=True):
            if event_id not in done:
                done.add(event_id)
                fresh.append(item)
        return fresh

    async def _dead_letter(
        self, producer: AIOKafkaProducer, record: ConsumerRecord[bytes, bytes], reason: str
    ) -> None:
        headers = [*(record.headers or ())]
        headers.append((DEADLETTER_REASON_HEADER, reason.encode()))
        origin = f"{record.topic}/{record.partition}/{record.offset}"
        headers.append((DEADLETTER_ORIGIN_HEADER, origin.encode()))
        await producer.send_and_wait(
            self.deadletter_topic, record.value, key=record.key, headers=headers
        )
        log.warning("consumer.dead_letter", consumer=self.consumer, origin=origin, reason=reason)

    async def _commit_to_kafka(
        self, kafka: AIOKafkaConsumer, offsets: dict[TopicPartition, int]
    ) -> None:
        # Informational only (lag dashboards); a failure here loses nothing.
        owned = kafka.assignment()
        mine = {tp: OffsetAndMetadata(o, "") for tp, o in offsets.items() if tp in owned}
        if mine:
            with contextlib.suppress(CommitFailedError, KafkaError):
                await kafka.commit(mine)

    async def stored_offsets(
        self, partitions: Sequence[TopicPartition]
    ) -> dict[TopicPartition, int]:
        """The next offset to read of each partition, as committed with the read model."""
        rows = await self.pool.fetch(
            "SELECT topic, partition, next_offset FROM consumer_offsets WHERE consumer = $1",
            self.consumer,
        )
        stored = {TopicPartition(r["topic"], r["partition"]): r["next_offset"] for r in rows}
        return {tp: stored[tp] for tp in partitions if tp in stored}


class TruncatedHistory(RuntimeError):
    """A source partition no longer starts at offset 0: its history is incomplete."""


class _Rebalance(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, runner: ConsumerRunner, kafka: AIOKafkaConsumer) -> None:
        self.runner = runner
        self.kafka = kafka

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        # Let the batch in flight commit before another member may take its partitions.
        async with self.runner._batch_lock:
            pass

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        # Before any seek: a batch read until now is dropped (its records are read again from
        # the stored offsets), one read from here on is applied.
        self.runner._assignments += 1
        stored = await self.runner.stored_offsets(list(assigned))
        unread = [tp for tp in assigned if tp not in stored]
        starts = await self.kafka.beginning_offsets(unread) if unread else {}
        lost = sorted(f"{tp.topic}[{tp.partition}] starts at offset {o}"
                      for tp, o in starts.items() if o > 0)  # fmt: skip
        if lost:
            self.runner.truncated = lost
            self.kafka.pause(*assigned)
            log.error("consumer.history_truncated", consumer=self.runner.consumer, partitions=lost)
            return
        behind = self.runner.catch_up_after
        wanted = unread if behind is None else assigned
        ends = await self.kafka.end_offsets(wanted) if wanted else {}
        lag = {tp: end for tp, end in ends.items() if tp in stored and end > stored[tp]}
        if behind is not None and sum(ends[tp] - stored[tp] for tp in lag) <= behind:
            lag = {}
        if unread or lag:
            await replay.start(self.runner.pool, self.runner.consumer,
                               {**lag, **{tp: ends[tp] for tp in unread}})  # fmt: skip
        self.runner.replay = await replay.progress(self.runner.pool, self.runner.consumer)
        if self.runner.replay is None:
            await self.runner._caught_up()
        for tp in assigned:
            if tp in stored:
                self.kafka.seek(tp, stored[tp])
            else:
                await self.kafka.seek_to_beginning(tp)
        log.info("consumer.assigned", consumer=self.runner.consumer, partitions=len(assigned))


def _measure(consumer: str, kafka: AIOKafkaConsumer, committed: _Committed) -> None:
    now = datetime.now(UTC)
    APPLIED.labels(consumer).inc(len(committed.fresh))
    freshness = FRESHNESS.labels(consumer)
    for item in committed.fresh:
        freshness.observe(max(0.0, (now - item.envelope.time).total_seconds()))
    for tp, offset in committed.next_offsets.items():
        end = kafka.highwater(tp)
        if end is not None:
            CONSUMER_LAG.labels(consumer, tp.topic, tp.partition).set(max(0, end - offset))


@contextlib.contextmanager
def _span(events: Sequence[Delivered]) -> Iterator[None]:
    """Spans for a batch: one for the work, and one in each event's own trace.

    A batch mixes events of many requests. The work span continues the first traced event; every
    other trace in the batch gets a short "projection apply" span linked to it, so each request's
    trace ends at the read-model update it caused. Without a tracer provider (no exporter, the
    default) the spans record nothing, and the per-trace ones are not made at all: up to one per
    event, inside the batch's transaction.
    """
    first = next((d.envelope.traceparent for d in events if d.envelope.traceparent), None)
    started = time_ns()
    with tracer.start_as_current_span(
        "projection apply",
        context=extract({"traceparent": first}) if first else None,
        kind=SpanKind.CONSUMER,
    ) as batch:
        batch.set_attribute("messaging.batch.message_count", len(events))
        yield
    if not tracing_installed():
        return
    parents = list(dict.fromkeys(d.envelope.traceparent for d in events if d.envelope.traceparent))
    link = [Link(batch.get_span_context())]
    for traceparent in parents[1:]:
        tracer.start_span(
            "projection apply",
            context=extract({"traceparent": traceparent}),
            kind=SpanKind.CONSUMER,
            links=link,
            start_time=started,
        ).end()
