"""One trace from an HTTP command through PostgreSQL, the relay and Kafka to the projection."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

from eventkit.consumer import ConsumerRunner, Delivered
from eventkit.positions import wait_for_events
from eventkit.relay import OutboxRelay
from eventkit.store import Connection, append
from tests.support.infrastructure import KafkaEndpoint
from tests.support.kafka_reading import new_topic
from tests.support.store import numbered, open_pool
from tests.support.tracing import capture_spans

pytestmark = pytest.mark.integration


class _Nothing:
    async def apply(self, conn: Connection, events: Sequence[Delivered]) -> None:
        return None


async def test_http_request_to_projection_is_one_trace(database: str, kafka: KafkaEndpoint) -> None:
    exporter = capture_spans()
    pool = await open_pool(database)
    topic = await new_topic(kafka.admin, partitions=1)
    app = FastAPI()

    @app.post("/commands")
    async def command() -> dict[str, str]:
        async with pool.acquire() as conn, conn.transaction():
            done = await append(conn, f"trace-{uuid.uuid4()}", 0, [numbered(1)])
        return {"event_id": str(done.event_ids[0])}

    FastAPIInstrumentor.instrument_app(app)
    relay = OutboxRelay(database, kafka.admin, source="/pana/test", route=lambda _: topic)
    runner = ConsumerRunner(
        pool, kafka.admin, consumer="trace", topics=[topic], projection=_Nothing()
    )
    tasks = [asyncio.create_task(relay.run()), asyncio.create_task(runner.run())]
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            event_id = (await client.post("/commands")).json()["event_id"]
        await wait_for_events(pool, "trace", [event_id], within=30)
    finally:
        relay.stop()
        runner.stop()
        await asyncio.gather(*tasks)
        await pool.close()
    spans = exporter.get_finished_spans()
    server = next(s for s in spans if s.name == "POST /commands" and s.parent is None)
    trace_id = server.context.trace_id
    mine = {s.name for s in spans if s.context.trace_id == trace_id}
    assert f"{topic} publish" in mine  # the relay continued the request's trace
    assert "projection apply" in mine  # and the consumer continued the relay's
    assert any(s.attributes and s.attributes.get("db.system") == "postgresql"
               for s in spans if s.context.trace_id == trace_id)  # fmt: skip
