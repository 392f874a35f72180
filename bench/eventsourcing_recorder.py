"""The baseline of benchmark 1: the `eventsourcing` library's PostgreSQL recorders, driven directly.

`PostgresApplicationRecorder` is the library's counterpart of our store: it gives every event a
global position (`notification_id`) for downstream readers, as our `events.position` and outbox
do. `PostgresAggregateRecorder` (no global order) is measured too, for context. The library is
synchronous (psycopg 3 with a connection pool), so its clients are threads, one pooled
connection each, as an application server would run it. Stream ids are text, as ours are.
"""

from __future__ import annotations

import threading
import uuid
from collections import defaultdict
from urllib.parse import urlsplit

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresDatastore,
)

from bench.load import run_threads
from bench.payload import PAYLOAD_BYTES, STREAMS_PER_CLIENT
from bench.plan import Plan

TOPIC = "contracts.vouchers:VoucherRedeemed"


class Recorders:
    """Both recorders on one database of the run's server, tables created."""

    def __init__(self, url: str, clients: int) -> None:
        self.payload = PAYLOAD_BYTES
        parts = urlsplit(url)
        self.datastore = PostgresDatastore(
            dbname=parts.path.lstrip("/"),
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password or "",
            pool_size=clients,
            originator_id_type="text",
        )
        self.application = PostgresApplicationRecorder(self.datastore, events_table_name="app_ev")
        self.application.create_table()
        self.aggregate = PostgresAggregateRecorder(self.datastore, events_table_name="agg_ev")
        self.aggregate.create_table()

    def application_rate(self, plan: Plan) -> float:
        return self._rate(self.application, plan)

    def aggregate_rate(self, plan: Plan) -> float:
        return self._rate(self.aggregate, plan)

    def _rate(self, recorder: PostgresAggregateRecorder, plan: Plan) -> float:
        run = uuid.uuid4().hex[:8]
        versions: dict[str, int] = defaultdict(int)
        lock = threading.Lock()

        def command(client: int, n: int) -> None:
            stream = f"bench-{run}-{client}-{n % STREAMS_PER_CLIENT}"
            with lock:
                version = versions[stream] + 1
            # The primary key (stream, version) makes a stale version fail: the library's
            # optimistic concurrency check.
            recorder.insert_events([StoredEvent(stream, version, TOPIC, self.payload)])
            with lock:
                versions[stream] = version

        return run_threads(plan.clients, command, plan.seconds, plan.warmup)

    def close(self) -> None:
        self.datastore.close()
