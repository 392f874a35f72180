"""Store and read a referral's shared minimum, encrypted per field.

Values are sealed with `access.crypto.PersonalDataCipher` under the participant's own data key
(wrapped by `PANA_PERSONAL_DATA_MASTER_KEY`), bound to participant and field name. The row is
deleted when the consent it relied on is withdrawn (see `consent.py`); when the person is erased
(`participant.erased`), every row of theirs is deleted and their data key destroyed (`forget`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from uuid import UUID

from access.crypto import MasterKey, PersonalDataCipher
from access.participant_keys import Erased, PostgresParticipantKeys
from eventkit.clock import Now
from eventkit.store import Connection
from roster.projection import OnErased


async def seal(
    conn: Connection,
    master: MasterKey,
    referral_id: UUID,
    participant_id: UUID,
    consent_id: UUID,
    fields: Mapping[str, str],
) -> None:
    """Encrypt `fields` and store them for `referral_id` (in the caller's transaction)."""
    cipher = PersonalDataCipher(master, PostgresParticipantKeys(conn))
    sealed = await cipher.encrypt(str(participant_id), fields) if fields else {}
    await conn.execute(
        "INSERT INTO referral_shared_data (referral_id, participant_id, consent_id,"
        " sealed_fields) VALUES ($1, $2, $3, $4)",
        referral_id,
        participant_id,
        consent_id,
        sealed,
    )


async def unseal(conn: Connection, master: MasterKey, referral_id: UUID) -> dict[str, str] | None:
    """The shared fields in clear; None when they were withheld (consent withdrawn, erased)."""
    row = await conn.fetchrow(
        "SELECT participant_id, sealed_fields FROM referral_shared_data WHERE referral_id = $1",
        referral_id,
    )
    if row is None:
        return None
    if not row["sealed_fields"]:
        return {}
    cipher = PersonalDataCipher(master, PostgresParticipantKeys(conn))
    try:
        return await cipher.decrypt(str(row["participant_id"]), row["sealed_fields"])
    except Erased:
        return None


async def forget(conn: Connection, participant_id: UUID, now: datetime) -> None:
    """Erasure: destroy the person's data key here and delete every referral's shared minimum
    of theirs (answered or not); units then read that the data was withheld."""
    await PostgresParticipantKeys(conn).destroy(str(participant_id), now)
    await conn.execute("DELETE FROM referral_shared_data WHERE participant_id = $1", participant_id)


def forgetting(clock: Now) -> OnErased:
    """`forget` as the roster feed's erasure callback, the key destroyed at `clock`'s time."""

    async def on_erased(conn: Connection, participant_id: UUID) -> None:
        await forget(conn, participant_id, clock())

    return on_erased
