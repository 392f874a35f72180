"""Keep the `participants` and `cases` tables in step with the events, in the same transaction.

The participant row itself (with its sealed personal fields) is written by the registration
command; here only the coarse attributes, the merge and the versions follow the events.
"""

from __future__ import annotations

from collections.abc import Sequence

from contracts.cases import CaseClosed, CaseEvent, CaseOpened, CaseReassigned, CaseReopened
from contracts.event import Event
from contracts.participants import ParticipantCorrected, ParticipantEvent, ParticipantMerged
from eventkit.store import Connection
from services.cases.case import Status


async def record(conn: Connection, events: Sequence[Event], version: int) -> None:
    """Apply `events` (just appended to one stream, now at `version`) to the read tables."""
    for event in events:
        match event:
            case ParticipantCorrected():
                await conn.execute(
                    "UPDATE participants SET sex = coalesce($2, sex),"
                    " birth_year_month = coalesce($3, birth_year_month),"
                    " nationality = coalesce($4, nationality), region = coalesce($5, region)"
                    " WHERE participant_id = $1",
                    event.participant_id, event.sex, event.birth_year_month,
                    event.nationality, event.region,
                )  # fmt: skip
            case ParticipantMerged():
                await conn.execute(
                    "UPDATE participants SET merged_into = $2 WHERE participant_id = $1",
                    event.merged_participant_id,
                    event.surviving_participant_id,
                )
            case CaseOpened():
                await conn.execute(
                    "INSERT INTO cases (case_id, participant_id, case_type, intake_channel,"
                    " regularization_profile, urgency, region, caseworker_id, status, opened_at,"
                    " updated_at, version) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$10,$11)",
                    event.case_id, event.participant_id, event.case_type, event.intake_channel,
                    event.regularization_profile, event.urgency, event.region,
                    event.caseworker_id, Status.OPEN, event.opened_at, version,
                )  # fmt: skip
            case CaseReassigned():
                await conn.execute(
                    "UPDATE cases SET caseworker_id = $2, region = $3 WHERE case_id = $1",
                    event.case_id,
                    event.caseworker_id,
                    event.region,
                )
            case CaseClosed():
                await conn.execute(
                    "UPDATE cases SET status = $2, closure_reason = $3 WHERE case_id = $1",
                    event.case_id,
                    Status.CLOSED,
                    event.reason,
                )
            case CaseReopened():
                await conn.execute(
                    "UPDATE cases SET status = $2, closure_reason = NULL WHERE case_id = $1",
                    event.case_id,
                    Status.OPEN,
                )
    await _version(conn, events, version)


async def _version(conn: Connection, events: Sequence[Event], version: int) -> None:
    if not events:
        return
    last = events[-1]
    if isinstance(last, CaseEvent):
        await conn.execute(
            "UPDATE cases SET version = $2, updated_at = now() WHERE case_id = $1",
            last.aggregate_id,
            version,
        )
    elif isinstance(last, ParticipantEvent):
        await conn.execute(
            "UPDATE participants SET version = $2 WHERE participant_id = $1",
            last.aggregate_id,
            version,
        )
