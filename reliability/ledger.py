"""After the faults: was anything lost? Every accepted command's event in its service's store,
every stored event on Kafka, every stored event applied by every indicators consumer."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition

from contracts.topics import CASES, PARTICIPANTS, REFERRALS, VOUCHERS
from eventkit.kafka_access import KafkaAccess
from reliability.stack import WRITE_SERVICES, SystemUnderTest

EVENT_TOPICS = (PARTICIPANTS, CASES, REFERRALS, VOUCHERS)


@dataclass
class Reconciliation:
    """What a run kept and lost; `lost` must be zero."""

    accepted: int
    stored: int
    on_kafka: int
    kafka_duplicates: int  # extra copies of one event id (allowed after a relay crash)
    missing_in_store: list[str] = field(default_factory=list)
    missing_on_kafka: list[str] = field(default_factory=list)
    missing_in_projection: dict[str, list[str]] = field(default_factory=dict)
    outbox_left: int = 0

    @property
    def lost(self) -> int:
        unprojected = sum(len(ids) for ids in self.missing_in_projection.values())
        return len(self.missing_in_store) + len(self.missing_on_kafka) + unprojected


async def _fetch_ids(url: str, query: str) -> list[tuple[str, str]]:
    conn = await asyncpg.connect(url)
    try:
        return [(str(r[0]), str(r[1])) for r in await conn.fetch(query)]
    finally:
        await conn.close()


async def stored_ids(sut: SystemUnderTest) -> dict[str, set[str]]:
    """Every event id in each write service's store."""
    found: dict[str, set[str]] = {}
    for service in WRITE_SERVICES:
        rows = await _fetch_ids(sut.database_url(service), "SELECT event_id, '' FROM events")
        found[service] = {event_id for event_id, _ in rows}
    return found


async def outbox_backlog(sut: SystemUnderTest) -> int:
    total = 0
    for service in WRITE_SERVICES:
        rows = await _fetch_ids(sut.database_url(service), "SELECT count(*), '' FROM outbox")
        total += int(rows[0][0])
    return total


async def projected_ids(sut: SystemUnderTest) -> dict[str, set[str]]:
    """Event ids applied by each indicators consumer (one per logframe version)."""
    rows = await _fetch_ids(
        sut.database_url("indicators"),
        "SELECT consumer, event_id FROM processed_events WHERE consumer LIKE 'indicators.%'",
    )
    found: dict[str, set[str]] = {}
    for consumer, event_id in rows:
        found.setdefault(consumer, set()).add(event_id)
    return found


async def kafka_ids(bootstrap: KafkaAccess) -> Counter[str]:
    """How many times each event id is on the event topics, read to their current end."""
    consumer = AIOKafkaConsumer(**bootstrap.options(), enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(t.name, p) for t in EVENT_TOPICS for p in range(t.partitions)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        seen: Counter[str] = Counter()
        while [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for record in records:
                    headers = dict(record.headers or ())
                    if "ce_id" in headers:
                        seen[headers["ce_id"].decode()] += 1
        return seen
    finally:
        await consumer.stop()


async def settle(sut: SystemUnderTest, within: float = 120.0) -> None:
    """Wait until every outbox is empty and every projection applied every stored event."""
    deadline = time.monotonic() + within
    while True:
        stored = set().union(*(await stored_ids(sut)).values())
        projected = await projected_ids(sut)
        if (
            await outbox_backlog(sut) == 0
            and projected
            and all(stored <= ids for ids in projected.values())
        ):
            return
        if time.monotonic() > deadline:
            return  # `reconcile` reports what is missing
        await asyncio.sleep(0.25)


async def reconcile(sut: SystemUnderTest, accepted: dict[str, str]) -> Reconciliation:
    """Compare what clients were told (accepted positions) with the stores, Kafka, projections."""
    await settle(sut)
    stores = await stored_ids(sut)
    stored = set().union(*stores.values())
    on_kafka = await kafka_ids(sut.kafka())
    projected = await projected_ids(sut)
    return Reconciliation(
        accepted=len(accepted),
        stored=len(stored),
        on_kafka=len(on_kafka),
        kafka_duplicates=sum(n - 1 for n in on_kafka.values()),
        missing_in_store=sorted(p for p, service in accepted.items() if p not in stores[service]),
        missing_on_kafka=sorted(stored - set(on_kafka)),
        missing_in_projection={c: sorted(stored - ids) for c, ids in projected.items()},
        outbox_left=await outbox_backlog(sut),
    )
