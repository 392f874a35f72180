"""Poison on the live system's topics: each unreadable message goes to the dead-letter topic with
its reason and origin, once per consumer reading it, and the projection keeps going."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from contracts.envelope import Envelope, envelope_for, to_kafka
from contracts.examples import example_event
from contracts.topics import (
    DEADLETTER,
    DEADLETTER_ORIGIN_HEADER,
    DEADLETTER_REASON_HEADER,
    VOUCHERS,
)
from eventkit.kafka_access import KafkaAccess
from reliability.report import Report
from reliability.stack import SystemUnderTest

pytestmark = pytest.mark.e2e


def _good() -> Envelope:
    return envelope_for(
        example_event("voucher.cancelled", 1), event_id=uuid.uuid4(), time=datetime.now(UTC)
    )


def _with(headers: list[tuple[str, bytes]], name: str, value: bytes) -> list[tuple[str, bytes]]:
    return [(k, value if k == name else v) for k, v in headers]


def _poison() -> dict[str, tuple[bytes, bytes, list[tuple[str, bytes]]]]:
    """Name -> (key, value, headers) of each kind of unreadable message."""
    key, value, headers = to_kafka(_good())
    return {
        "bad JSON": (key, b'{"voucher_id": ', headers),
        "unknown type": (key, value, _with(headers, "ce_type", b"voucher.teleported")),
        "unknown future version": (key, value, _with(headers, "ce_schemaversion", b"99")),
    }


async def _dead_letters(
    bootstrap: KafkaAccess, origins: set[str], within: float = 60
) -> dict[str, list[str]]:
    """Origin -> reasons of the dead letters whose origin is in `origins` (two consumers each)."""
    consumer = AIOKafkaConsumer(**bootstrap.options(), enable_auto_commit=False)
    await consumer.start()
    found: dict[str, list[str]] = {}
    try:
        partitions = [TopicPartition(DEADLETTER.name, p) for p in range(DEADLETTER.partitions)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for record in records:
                    headers = dict(record.headers or ())
                    origin = headers.get(DEADLETTER_ORIGIN_HEADER, b"").decode()
                    if origin in origins:
                        found.setdefault(origin, []).append(
                            headers[DEADLETTER_REASON_HEADER].decode()
                        )
            if len(found) == len(origins) and all(len(r) >= 2 for r in found.values()):
                break
        return found
    finally:
        await consumer.stop()


async def test_poison_goes_to_dead_letters_with_reasons_and_projection_continues(
    system: SystemUnderTest, report: Report
) -> None:
    good = _good()
    origins: dict[str, str] = {}
    producer = AIOKafkaProducer(**system.kafka("vouchers").options(), acks="all")
    await producer.start()
    try:
        for name, (key, value, headers) in _poison().items():
            sent = await producer.send_and_wait(VOUCHERS.name, value, key=key, headers=headers)
            origins[f"{VOUCHERS.name}/{sent.partition}/{sent.offset}"] = name
        key, value, headers = to_kafka(good)
        await producer.send_and_wait(VOUCHERS.name, value, key=key, headers=headers)
    finally:
        await producer.stop()

    async with httpx.AsyncClient(base_url=system.url("indicators"), timeout=40) as client:
        applied = await client.get(f"/positions/{good.id}", params={"timeout": 30})
    assert applied.status_code == 200, applied.text  # the consumer went on past the poison

    found = await _dead_letters(system.kafka(), set(origins))
    by_kind = {origins[o]: reasons for o, reasons in found.items()}
    assert set(by_kind) == set(origins.values()), by_kind
    assert all("JSON" in r for r in by_kind["bad JSON"])
    assert all("unknown event type" in r for r in by_kind["unknown type"])
    assert all("unknown future version 99" in r for r in by_kind["unknown future version"])

    section = report.section("Poison messages")
    section.line(
        f"Sent to `{VOUCHERS.name}` on the running system, then one valid event after them. "
        "Every indicators consumer (one per logframe version) reads the topic."
    )
    for kind, reasons in sorted(by_kind.items()):
        section.figure(f"{kind}: dead letters (one per consumer)", len(reasons))
        section.figure(f"{kind}: reason", f"`{reasons[0][:90]}`")
    section.figure("valid event after the poison applied", "yes (GET /positions 200)")
