"""History lasts: topics keep every event, a truncated log is refused, republish restores it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
import yaml
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic, RecordsToDelete

from contracts.topics import Topic
from deploy.ops.history import HistoryIncomplete, owned_topics, republish, truncated_partitions
from deploy.ops.rebuild import rebuild
from eventkit.consumer import TruncatedHistory
from eventkit.kafka_access import KafkaAccess
from eventkit.positions import wait_for_events
from eventkit.topic_offsets import end_offsets
from eventkit.topics import KEEP_FOREVER, ensure_topics, topic_retention
from services.indicators import read_model
from services.indicators.ledger import Ledger
from services.indicators.logframe import Logframe, load_directory
from tests.integration.indicators.publishing import (
    fresh_topics,
    projecting,
    store_and_relay,
    topic_of,
)
from tests.support.infrastructure import KafkaEndpoint
from tests.support.store import open_pool
from tests.support.waiting import until
from tests.unit.indicators.test_order_independence import scenario

pytestmark = pytest.mark.integration
Y2 = load_directory()["pana_peru_y2_v1"]


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await open_pool(database)
    yield pool
    await pool.close()


async def test_topics_are_created_and_altered_to_keep_every_event(kafka: KafkaEndpoint) -> None:
    boot = kafka.admin
    new, old = f"test.{uuid.uuid4().hex[:10]}", f"test.{uuid.uuid4().hex[:10]}"
    admin = AIOKafkaAdminClient(**boot.options())
    await admin.start()
    try:  # a topic made before the rule, with the broker's usual 7 days
        week = {"retention.ms": "604800000", "retention.bytes": "-1"}
        await admin.create_topics([NewTopic(old, 1, 1, topic_configs=week)])
    finally:
        await admin.close()
    assert (await topic_retention(boot, [old]))[old] == week

    created = await ensure_topics(boot, [Topic(new, 2), Topic(old, 1)])

    assert created == [new]
    assert await topic_retention(boot, [new, old]) == {new: KEEP_FOREVER, old: KEEP_FOREVER}


def test_each_service_republishes_the_topics_it_owns() -> None:
    assert [t.name for t in owned_topics("cases")] == ["pana.participants.v1", "pana.cases.v1"]
    assert [t.name for t in owned_topics("vouchers")] == ["pana.vouchers.v1"]
    assert [t.name for t in owned_topics("indicators")] == []


async def _ledger(pool: asyncpg.Pool, logframe: Logframe) -> Ledger:
    async with pool.acquire() as conn:
        return (await read_model.load_ledger(conn, logframe))[1]


async def _replay(
    pool: asyncpg.Pool,
    boot: KafkaAccess,
    topics: dict[str, str],
    logframe: Logframe,
    ids: list[str],
) -> Ledger:
    async with pool.acquire() as conn:
        await conn.execute(read_model.ddl(logframe))
    async with projecting(pool, boot, topics, logframe) as runner:
        await wait_for_events(pool, runner.consumer, ids, within=60)
        consumer = runner.consumer
    ledger = await _ledger(pool, logframe)
    async with pool.acquire() as conn:
        await read_model.drop(conn, logframe, consumer)
    return ledger


async def test_a_truncated_topic_is_refused_and_republish_restores_identical_figures(
    pool: asyncpg.Pool, database: str, kafka: KafkaEndpoint
) -> None:
    boot = kafka.admin
    topics = await fresh_topics(boot)
    events = scenario()
    ids = [i for i, _ in events]
    await store_and_relay(pool, database, boot, topics, events)
    logframe = Y2.model_copy(update={"key": "history_v1"})
    before = await _replay(pool, boot, topics, logframe, ids)
    assert before != Ledger()

    # Retention (or a hand) deletes the first records of the participants' busiest partition.
    people = topics["participant"]
    admin = AIOKafkaAdminClient(**boot.options())
    await admin.start()
    try:
        ends = await _end_offsets(boot, people)
        partition = max(ends, key=lambda p: ends[p])
        await admin.delete_records({TopicPartition(people, partition): RecordsToDelete(1)})
    finally:
        await admin.close()
    lost = f"{people}[{partition}] starts at offset 1"
    assert await truncated_partitions(boot, topics.values()) == [lost]

    with pytest.raises(HistoryIncomplete) as refused:  # the operator's rebuild, before it drops
        await rebuild(database, Y2.key, "untouched", kafka=boot,
                      source_topics=list(topics.values()))  # fmt: skip
    assert lost in str(refused.value)

    # A consumer starting from the beginning projects nothing and says why in its readiness.
    async with pool.acquire() as conn:
        await conn.execute(read_model.ddl(logframe))
    async with projecting(pool, boot, topics, logframe) as runner:
        await until(lambda: bool(runner.truncated))
        with pytest.raises(TruncatedHistory, match="republish"):
            await runner.check()
        assert lost in runner.truncated
        assert runner.applied == 0
        consumer = runner.consumer
    async with pool.acquire() as conn:
        await read_model.drop(conn, logframe, consumer)

    declared = [Topic(name, 3) for name in topics.values()]
    for _ in range(2):  # republishing twice changes no figure
        published = await republish(
            database, boot, boot, declared, source="/pana/test", consumer_databases={"t": database},
            route=lambda event_type: topic_of(topics, event_type),
        )  # fmt: skip
        assert published == len(events)
        assert await truncated_partitions(boot, topics.values()) == []
        assert await _replay(pool, boot, topics, logframe, ids) == before


async def _end_offsets(boot: KafkaAccess, topic: str) -> dict[int, int]:
    return {
        partition: offset for (_, partition), offset in (await end_offsets(boot, [topic])).items()
    }


async def test_the_rebuild_reads_the_logframes_where_the_service_does(
    pool: asyncpg.Pool, database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours = Y2.model_copy(update={"key": "ours_only_v1"})  # a version only PANA_LOGFRAMES_DIR has
    (tmp_path / "ours.yaml").write_text(yaml.safe_dump(ours.model_dump(mode="json")))
    with pytest.raises(KeyError, match="ours_only_v1"):
        await rebuild(database, ours.key)  # the default folder does not have it
    monkeypatch.setenv("PANA_LOGFRAMES_DIR", str(tmp_path))
    assert await rebuild(database, ours.key) == read_model.consumer_of(ours, "indicators")
