"""Applies the cases service's participant and case events to the copy (pure upserts).

Events of one participant (or case) arrive in order (one partition per key); the two topics
interleave freely, and the tables do not depend on each other, so any interleaving converges.
A registration only sets the region it carries when no correction came first (never, in
practice, but an upsert costs nothing). An erasure also runs the service's own `on_erased`
hook in the same transaction: that is where a service destroys its copy of the person's data.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from uuid import UUID

from contracts.cases import CaseOpened, CaseReassigned
from contracts.envelope import InvalidMessage, decode
from contracts.participants import (
    ParticipantCorrected,
    ParticipantErased,
    ParticipantMerged,
    ParticipantRegistered,
)
from eventkit.consumer import Delivered, Rejected
from eventkit.store import Connection

OnErased = Callable[[Connection, UUID], Awaitable[None]]
"""What a service does, inside the consumer's transaction, when a person is erased."""

_TYPES = frozenset(
    model.event_type
    for model in (
        ParticipantRegistered, ParticipantCorrected, ParticipantMerged, ParticipantErased,
        CaseOpened, CaseReassigned,
    )
)  # fmt: skip
_PARTICIPANT = (
    "INSERT INTO roster_participants (participant_id, {column}) VALUES ($1, $2)"
    " ON CONFLICT (participant_id) DO UPDATE SET {column} = {value}"
)


async def _set(conn: Connection, participant_id: UUID, column: str, value: object) -> None:
    assert column in ("region", "merged_into", "erased_at")  # a constant, never input
    # The first erasure time stays; any other column takes the latest event's value.
    keep = f"coalesce(roster_participants.{column}, EXCLUDED.{column})"
    chosen = keep if column == "erased_at" else f"EXCLUDED.{column}"
    await conn.execute(_PARTICIPANT.format(column=column, value=chosen), participant_id, value)


class RosterProjection:
    """The copy's projection; `on_erased` destroys the service's own copies of a person."""

    def __init__(self, on_erased: OnErased | None = None) -> None:
        self.on_erased = on_erased

    async def apply(self, conn: Connection, events: Sequence[Delivered]) -> list[Rejected]:
        """Upsert who exists, where, merged into whom, erased when; return the events whose
        data is unreadable (the runner dead-letters them and goes on)."""
        rejected: list[Rejected] = []
        for delivered in events:
            if delivered.envelope.type not in _TYPES:
                continue
            try:
                event = decode(delivered.envelope)
            except InvalidMessage as bad:
                rejected.append(Rejected(delivered, bad.reason))
                continue
            match event:
                case ParticipantRegistered():
                    await conn.execute(
                        "INSERT INTO roster_participants (participant_id, region) VALUES ($1, $2)"
                        " ON CONFLICT (participant_id) DO UPDATE"
                        " SET region = coalesce(roster_participants.region, EXCLUDED.region)",
                        event.participant_id,
                        str(event.region),
                    )
                case ParticipantCorrected() if event.region is not None:
                    await _set(conn, event.participant_id, "region", str(event.region))
                case ParticipantMerged():
                    await _set(
                        conn,
                        event.merged_participant_id,
                        "merged_into",
                        event.surviving_participant_id,
                    )
                case ParticipantErased():
                    await _set(conn, event.participant_id, "erased_at", event.erased_at)
                    if self.on_erased is not None:
                        await self.on_erased(conn, event.participant_id)
                case CaseOpened():
                    await conn.execute(
                        "INSERT INTO roster_cases (case_id, participant_id, region, opened_at)"
                        " VALUES ($1, $2, $3, $4) ON CONFLICT (case_id)"
                        " DO UPDATE SET opened_at = EXCLUDED.opened_at",
                        event.case_id,
                        event.participant_id,
                        str(event.region),
                        event.opened_at,
                    )
                case CaseReassigned():
                    await conn.execute(
                        "INSERT INTO roster_cases (case_id, participant_id, region)"
                        " VALUES ($1, $2, $3) ON CONFLICT (case_id)"
                        " DO UPDATE SET region = EXCLUDED.region",
                        event.case_id,
                        event.participant_id,
                        str(event.region),
                    )
        return rejected
