"""This service's copy of consent, projected from the cases service's consent events.

The cases service records consent; this service never reads its database. It consumes
`consent.given` / `consent.withdrawn` from the participants topic (effectively once, with the
offsets in the same transaction) into `referral_consents`. The rows are upserts that only ever
set a time, so the projection converges whatever order the events arrive in. When consent for
referral sharing is withdrawn, the shared minimum stored under it is deleted at once: units
reading those referrals see that the data was withheld.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from contracts.consent import ConsentGiven, ConsentWithdrawn
from contracts.upcasting import decode_payload
from contracts.vocabulary import ConsentPurpose, ReferralDestination
from eventkit.consumer import Delivered
from eventkit.store import Connection

SHARING = ConsentPurpose.REFERRAL_SHARING
_CONSENT_TYPES = frozenset({ConsentGiven.event_type, ConsentWithdrawn.event_type})


class ConsentProjection:
    """Applies consent events to `referral_consents` (inside the consumer's transaction)."""

    async def apply(self, conn: Connection, events: Sequence[Delivered]) -> None:
        """Record given and withdrawn purposes; forget shared data whose consent is gone."""
        for delivered in events:
            envelope = delivered.envelope
            if envelope.type not in _CONSENT_TYPES:
                continue
            event = decode_payload(envelope.type, envelope.version, envelope.data)
            match event:
                case ConsentGiven():
                    await _upsert(conn, event.consent_id, event.participant_id,
                                  event.purposes, "given_at", event.given_at)  # fmt: skip
                    await conn.execute(
                        "UPDATE referral_consents SET destinations = $2"
                        " WHERE consent_id = $1 AND purpose = $3",
                        event.consent_id, [str(d) for d in event.destinations], str(SHARING),
                    )  # fmt: skip
                case ConsentWithdrawn():
                    await _upsert(conn, event.consent_id, event.participant_id,
                                  event.purposes, "withdrawn_at", event.withdrawn_at)  # fmt: skip
                    if SHARING in event.purposes:
                        await conn.execute(
                            "DELETE FROM referral_shared_data WHERE consent_id = $1",
                            event.consent_id,
                        )


async def _upsert(
    conn: Connection,
    consent_id: UUID,
    participant_id: UUID,
    purposes: Sequence[ConsentPurpose],
    column: str,
    at: object,
) -> None:
    assert column in ("given_at", "withdrawn_at")  # a constant, never input
    await conn.execute(
        f"INSERT INTO referral_consents (consent_id, purpose, participant_id, {column})"
        " SELECT $1, unnest($2::text[]), $3, $4 ON CONFLICT (consent_id, purpose)"
        f" DO UPDATE SET {column} = EXCLUDED.{column}",
        consent_id,
        [str(p) for p in purposes],
        participant_id,
        at,
    )


async def standing_consent(
    conn: Connection,
    participant_id: UUID,
    destination: ReferralDestination,
    at: datetime | None = None,
) -> UUID | None:
    """The latest consent allowing referral sharing with `destination` that was given and not
    withdrawn (locked until the caller's transaction ends, so a concurrent withdrawal cannot
    miss its data). A consent naming no destination covers every destination. With `at` (a
    referral requested in the past), the latest one given by then comes first.
    """
    found = await conn.fetchval(
        "SELECT consent_id FROM referral_consents WHERE participant_id = $1 AND purpose = $2"
        " AND given_at IS NOT NULL AND withdrawn_at IS NULL"
        " AND (cardinality(destinations) = 0 OR $3 = ANY(destinations))"
        " ORDER BY given_at <= coalesce($4, given_at) DESC, given_at DESC LIMIT 1"
        # A withdrawal being projected right now waits for this request, then deletes its data.
        " FOR SHARE",
        participant_id,
        str(SHARING),
        str(destination),
        at,
    )
    return UUID(str(found)) if found is not None else None


async def consent_given_at(conn: Connection, consent_id: UUID) -> datetime | None:
    """When the consent's referral sharing was given (what a referral may not come before)."""
    given: datetime | None = await conn.fetchval(
        "SELECT given_at FROM referral_consents WHERE consent_id = $1 AND purpose = $2",
        consent_id,
        str(SHARING),
    )
    return given


async def consent_stands(conn: Connection, consent_id: UUID) -> bool:
    """Whether the referral_sharing purpose of `consent_id` still stands."""
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM referral_consents WHERE consent_id = $1"
            " AND purpose = $2 AND given_at IS NOT NULL AND withdrawn_at IS NULL)",
            consent_id,
            str(SHARING),
        )
    )
