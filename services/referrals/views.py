"""Keep the `referrals` table in step with the events, in the same transaction."""

from __future__ import annotations

from collections.abc import Sequence

from contracts.event import Event
from contracts.referrals import (
    ReferralAccepted,
    ReferralCancelled,
    ReferralCompleted,
    ReferralOverdue,
    ReferralRejected,
    ReferralRequested,
)
from eventkit.store import Connection
from services.referrals.referral import Status

_ANSWERED = (
    "UPDATE referrals SET status = $2, answered_at = $3, answer_channel = $4,"
    " answerer_role = $5, rejection_reason = $6, closed_at = $7, version = $8"
    " WHERE referral_id = $1"
)


async def record(
    conn: Connection, events: Sequence[Event], version: int, reason: str | None = None
) -> None:
    """Apply `events` (just appended, stream now at `version`) to the read table.

    `reason` is the request's reason, kept here only: it can say more about a person (a GBV
    referral) than the events may.
    """
    for event in events:
        match event:
            case ReferralRequested():
                await conn.execute(
                    "INSERT INTO referrals (referral_id, case_id, participant_id, destination,"
                    " unit_id, region, urgency, assistance_type, reason, consent_id, status,"
                    " requested_at, respond_by, version)"
                    " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)",
                    event.referral_id, event.case_id, event.participant_id, event.destination,
                    event.destination_org_id, event.region, event.urgency,
                    event.assistance_type, reason, event.consent_id, Status.REQUESTED,
                    event.requested_at, event.respond_by, version,
                )  # fmt: skip
            case ReferralAccepted():
                await conn.execute(
                    _ANSWERED, event.referral_id, Status.ACCEPTED, event.accepted_at,
                    event.channel, event.answerer_role, None, None, version,
                )  # fmt: skip
            case ReferralRejected():
                await conn.execute(
                    _ANSWERED, event.referral_id, Status.REJECTED, event.rejected_at,
                    event.channel, event.answerer_role, event.reason, event.rejected_at, version,
                )  # fmt: skip
            case ReferralCompleted():
                await conn.execute(
                    "UPDATE referrals SET status = $2, outcome = $3, closed_at = $4,"
                    " version = $5 WHERE referral_id = $1",
                    event.referral_id, Status.COMPLETED, event.outcome, event.completed_at,
                    version,
                )  # fmt: skip
            case ReferralCancelled():
                await conn.execute(
                    "UPDATE referrals SET status = $2, cancellation_reason = $3, closed_at = $4,"
                    " version = $5 WHERE referral_id = $1",
                    event.referral_id, Status.CANCELLED, event.reason, event.cancelled_at,
                    version,
                )  # fmt: skip
            case ReferralOverdue():
                await conn.execute(
                    "UPDATE referrals SET status = $2, overdue_at = $3, version = $4"
                    " WHERE referral_id = $1",
                    event.referral_id, Status.OVERDUE, event.detected_at, version,
                )  # fmt: skip
