"""The projection on real Kafka and PostgreSQL: arrival orders, replay, a rule change."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from eventkit.positions import wait_for_events
from services.indicators import read_model
from services.indicators.attainment import Filters, counted, figures
from services.indicators.ledger import Ledger
from services.indicators.logframe import Logframe, load_directory
from tests.integration.indicators.publishing import (
    fresh_topics,
    produce,
    projecting,
    store_and_relay,
)
from tests.support.infrastructure import KafkaEndpoint
from tests.support.store import open_pool
from tests.unit.indicators.builders import Numbered, ledger_of, numbered, service
from tests.unit.indicators.test_order_independence import scenario

pytestmark = pytest.mark.integration
Y2 = load_directory()["pana_peru_y2_v1"]


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await open_pool(database)
    yield pool
    await pool.close()


def version(key: str, base: Logframe = Y2) -> Logframe:
    """The same rules stored under another key (its own schema and consumer)."""
    return base.model_copy(update={"key": key})


async def ledger_in(pool: asyncpg.Pool, logframe: Logframe) -> Ledger:
    async with pool.acquire() as conn:
        return (await read_model.load_ledger(conn, logframe))[1]


async def project(
    pool: asyncpg.Pool, kafka: KafkaEndpoint, logframe: Logframe, waves: list[list[Numbered]]
) -> Ledger:
    """Produce `waves` one after the other, each consumed before the next is produced."""
    boot = kafka.admin
    async with pool.acquire() as conn:
        await conn.execute(read_model.ddl(logframe))
    topics = await fresh_topics(boot)
    async with projecting(pool, boot, topics, logframe) as runner:
        for wave in waves:
            await produce(boot, topics, wave)
            await wait_for_events(pool, runner.consumer, [i for i, _ in wave], within=30)
    return await ledger_in(pool, logframe)


async def test_two_cross_topic_orders_through_kafka_give_identical_tables(
    pool: asyncpg.Pool, kafka: KafkaEndpoint
) -> None:
    events = scenario()
    people = [e for e in events if e[1].event_type.startswith("participant.")]
    acts = [e for e in events if not e[1].event_type.startswith("participant.")]
    # Order 1: people known first. Order 2: every act (and a reversal before its redemption)
    # consumed before any registration, correction or merge.
    acts_reversal_first = sorted(acts, key=lambda e: e[1].event_type != "voucher.reversed")
    first = await project(pool, kafka, version("order_one"), [people, acts])
    second = await project(pool, kafka, version("order_two"), [acts_reversal_first, people])
    assert first == second == ledger_of(Y2, events)  # and equal to the pure model's
    assert figures(Y2, first, Filters()) == figures(Y2, second, Filters())
    assert figures(Y2, first, Filters()).indicators[6].value == 2  # OE2.7, as the unit test


async def test_replay_after_dropping_the_read_model_and_a_rule_change_by_rebuild(
    pool: asyncpg.Pool, database: str, kafka: KafkaEndpoint
) -> None:
    boot = kafka.admin
    topics = await fresh_topics(boot)
    events = [*scenario(), *numbered(service(6, "dignity_kit"))]
    await store_and_relay(pool, database, boot, topics, events)
    ids = [i for i, _ in events]
    v1 = version("replayed_v1")
    async with pool.acquire() as conn:
        await conn.execute(read_model.ddl(v1))
    async with projecting(pool, boot, topics, v1) as runner:
        await wait_for_events(pool, runner.consumer, ids, within=30)
        consumer = runner.consumer
    before = await ledger_in(pool, v1)
    before_people = counted(v1, before, Filters())

    async with pool.acquire() as conn:
        await read_model.drop(conn, v1, consumer)
    assert await ledger_in(pool, v1) == Ledger()
    async with projecting(pool, boot, topics, v1) as runner:
        await wait_for_events(pool, runner.consumer, ids, within=30)
    after = await ledger_in(pool, v1)
    assert after == before
    assert counted(v1, after, Filters()) == before_people

    # A rule change: OE2.7 also counts dignity kits. It is a new version with its own key,
    # rebuilt from the topics into its own schema; version 1 still reads as before.
    oe27 = Y2.indicators[5]
    rule = oe27.requires[0].any_of[0]
    wider = rule.model_copy(update={"where": {"service_type": ["psychological_first_aid",
                                                               "dignity_kit"]}})  # fmt: skip
    changed = oe27.model_copy(update={"requires": [oe27.requires[0].model_copy(
        update={"any_of": [wider]})]})  # fmt: skip
    v2 = version("replayed_v2").model_copy(
        update={"indicators": [changed if i.id == "OE2.7" else i for i in Y2.indicators]}
    )
    async with pool.acquire() as conn:
        await conn.execute(read_model.ddl(v2))
    async with projecting(pool, boot, topics, v2) as runner:
        await wait_for_events(pool, runner.consumer, ids, within=30)
    rebuilt = await ledger_in(pool, v2)
    assert rebuilt == ledger_of(v2, events)
    assert await ledger_in(pool, v1) == before
    assert figures(v1, before, Filters()).indicators[6].value == 2
    assert figures(v2, rebuilt, Filters()).indicators[6].value == 3
