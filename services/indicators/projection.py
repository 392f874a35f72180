"""The consumer side: turn each batch of delivered events into facts of one logframe version.

Runs inside the consumer runner's batch transaction (offsets and processed ids commit with the
facts: effectively once). Events the logframe does not read are skipped without parsing. An
event it reads whose data is not valid (its headers were, else the runner dead-lettered it
already) is handed back as rejected: the runner sends it to the dead-letter topic with the
reason, and every other figure stays live.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from contracts.envelope import InvalidMessage, decode
from eventkit.consumer import Delivered, Rejected
from eventkit.store import Connection
from services.indicators import deferred, indirect_store, read_model
from services.indicators.facts import Fact, relevant_event_types, rules_of
from services.indicators.logframe import Logframe

MAX_BATCH = 2_000
"""Events per transaction at most (the runner's `max_batch`): a backlog (a rebuild, a restart
after downtime) is applied in big batches, few commits; live traffic in whatever has arrived."""


MAX_BATCH_MS = 3_600_000
"""How long one batch may take (the runner's `max_poll_interval_ms`): the batch that ends a
rebuild recounts every subject (`deferred`), minutes at national scale, and meanwhile the
consumer does not poll Kafka; with Kafka's default of five minutes it would leave its group
and rejoin in the middle of the recount."""


class AttainmentProjection:
    """Feeds one logframe version's read model.

    Given its `consumer`, it defers recounts while that consumer replays (`deferred`) and
    recounts what it kept with the batch that ends the replay, or in `caught_up`.
    """

    def __init__(self, logframe: Logframe, consumer: str | None = None) -> None:
        self.logframe = logframe
        self.consumer = consumer
        self.reads = relevant_event_types(logframe)
        self.rules = rules_of(logframe)
        self.headcounts = indirect_store.reads(logframe)  # group activities: their own table
        # By the identity of the delivered event (held here, so its id is not reused meanwhile).
        self._prepared: dict[int, tuple[Delivered, list[Fact] | str]] = {}

    def prepare(self, events: Sequence[Delivered]) -> None:
        """Decode events and derive their facts ahead of `apply` (no database: pure CPU)."""
        if len(self._prepared) > _KEPT_PREPARED:  # left by batches that were never applied
            self._prepared.clear()
        reads, prepared = self.reads, self._prepared
        for delivered in events:
            if delivered.envelope.type in reads:
                prepared[id(delivered)] = (delivered, self._facts(delivered))

    async def apply(self, conn: Connection, events: Sequence[Delivered]) -> list[Rejected]:
        """Record the facts of the batch's events (called once per never-applied event)."""
        facts: list[Fact] = []
        recorded_at: dict[str, datetime] = {}
        rejected: list[Rejected] = []
        activities: list[indirect_store.Recorded] = []
        reads, prepared = self.reads, self._prepared
        for delivered in events:
            if delivered.envelope.type in self.headcounts:
                activity = indirect_store.recorded(delivered)
                if isinstance(activity, str):
                    rejected.append(Rejected(delivered, activity))
                else:
                    activities.append(activity)
                continue
            if delivered.envelope.type not in reads:
                continue
            entry = prepared.pop(id(delivered), None)
            found = entry[1] if entry is not None and entry[0] is delivered else None
            if found is None:
                found = self._facts(delivered)
            if isinstance(found, str):
                rejected.append(Rejected(delivered, found))
            elif found:
                facts.extend(found)
                recorded_at[delivered.envelope.id] = delivered.envelope.time
        where = deferred.State(replaying=False, kept=False)
        if self.consumer is not None:
            schema = read_model.schema_of(self.logframe)
            where = await deferred.state(conn, schema, self.consumer, events)
        # The batch that ends a replay keeps its seeds with the others: one recount of all.
        keeping = where.replaying or where.kept
        await read_model.record(
            conn, self.logframe, facts, recorded_at, replaying=keeping, whole=where.whole
        )
        if where.kept and not where.replaying:
            await read_model.settle(conn, self.logframe)
        await indirect_store.record(conn, self.logframe, activities)
        return rejected

    async def caught_up(self, conn: Connection) -> None:
        """Recount what was kept while replaying (the runner calls it once a replay ended)."""
        await read_model.settle(conn, self.logframe)

    def _facts(self, delivered: Delivered) -> list[Fact] | str:
        """The event's facts, or why its data cannot be read."""
        envelope = delivered.envelope
        try:
            event = decode(envelope)
        except InvalidMessage as bad:
            return bad.reason
        return self.rules.facts(envelope.id, event)  # the id is canonical (from_kafka)


_KEPT_PREPARED = 4 * MAX_BATCH
