"""The consumer side: turn each batch of delivered events into facts of one logframe version.

Runs inside the consumer runner's batch transaction (offsets and processed ids commit with the
facts: effectively once). Events the logframe does not read are skipped without parsing.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import structlog

from contracts.envelope import InvalidMessage, decode
from eventkit.consumer import Delivered
from eventkit.store import Connection
from services.indicators import read_model
from services.indicators.facts import Fact, facts_from, relevant_event_types
from services.indicators.logframe import Logframe

log = structlog.get_logger("indicators.projection")


class AttainmentProjection:
    """Feeds one logframe version's read model."""

    def __init__(self, logframe: Logframe) -> None:
        self.logframe = logframe
        self.reads = relevant_event_types(logframe)

    async def apply(self, conn: Connection, events: Sequence[Delivered]) -> None:
        """Record the facts of the batch's events (called once per never-applied event)."""
        facts: list[Fact] = []
        for delivered in events:
            envelope = delivered.envelope
            if envelope.type not in self.reads:
                continue
            try:
                event = decode(envelope)
            except InvalidMessage as bad:
                # Headers were valid (else it went to the dead letters) but the data is not:
                # skipping it keeps every other figure live; the log names where it is.
                origin = f"{delivered.topic}/{delivered.partition}/{delivered.offset}"
                log.warning("projection.invalid_event", origin=origin, reason=bad.reason)
                continue
            facts.extend(facts_from(self.logframe, str(UUID(envelope.id)), event))
        await read_model.record(conn, self.logframe, facts)
