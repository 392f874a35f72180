"""Personal data at rest: field encryption, blind indexes for lookup, and erasure.

Each personal field is sealed under the participant's own data key (`access.crypto`), so
erasure destroys one key and every copy of every field becomes unreadable. Document and phone
numbers are also indexed twice with keyed HMACs: `exact` (as typed, trimmed) and `normalized`
(`access.blind_index`: "V-12.345.678" and "v12345678" match). A search reveals which records
match and how, never what they hold.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from uuid import UUID

from access.blind_index import Kind, blind_index
from access.crypto import PersonalDataCipher
from access.participant_keys import PostgresParticipantKeys
from access.settings import PersonalDataKeys
from eventkit.decider import RefusalKind, Refused
from eventkit.store import Connection


def cipher(conn: Connection, keys: PersonalDataKeys) -> PersonalDataCipher:
    """A cipher whose data keys live in this connection's transaction."""
    return PersonalDataCipher(keys.master(), PostgresParticipantKeys(conn))


def digests(kind: Kind, value: str, key: bytes) -> dict[str, str]:
    """The `exact` and `normalized` blind indexes of a document or phone number."""
    try:
        normalized = blind_index(kind, value, key=key)
    except ValueError as error:
        raise Refused(
            f"invalid_{kind.value}", f"{kind.value}: {error}", RefusalKind.INVALID
        ) from None
    exact = hmac.new(key, f"{kind.value}\x00exact\x00{value.strip()}".encode(), hashlib.sha256)
    return {"exact": exact.hexdigest(), "normalized": normalized}


async def index(
    conn: Connection, participant_id: UUID, identifiers: Mapping[Kind, str | None], key: bytes
) -> None:
    """Replace the participant's blind indexes for each kind given (None removes it)."""
    for kind, value in identifiers.items():
        await conn.execute(
            "DELETE FROM participant_identifiers WHERE participant_id = $1 AND kind = $2",
            participant_id,
            kind.value,
        )
        if value is None:
            continue
        for match, digest in digests(kind, value, key).items():
            await conn.execute(
                "INSERT INTO participant_identifiers VALUES ($1, $2, $3, $4)",
                participant_id,
                kind.value,
                match,
                digest,
            )


async def find(
    conn: Connection, kind: Kind, value: str, key: bytes, exclude: UUID | None = None
) -> list[dict[str, str | None]]:
    """Records matching a number: id, region, how it matched, and where it was merged into."""
    found = digests(kind, value, key)
    rows = await conn.fetch(
        "SELECT p.participant_id::text, p.region, p.merged_into::text,"
        " bool_or(i.match = 'exact' AND i.digest = $1) AS exact"
        " FROM participant_identifiers i JOIN participants p USING (participant_id)"
        " WHERE i.kind = $3 AND ((i.match = 'exact' AND i.digest = $1)"
        " OR (i.match = 'normalized' AND i.digest = $2))"
        " AND p.erased_at IS NULL AND p.participant_id IS DISTINCT FROM $4"
        " GROUP BY p.participant_id ORDER BY p.participant_id",
        found["exact"],
        found["normalized"],
        kind.value,
        exclude,
    )
    return [
        {
            "participant_id": r["participant_id"],
            "region": r["region"],
            "match": "exact" if r["exact"] else "normalized",
            "merged_into": r["merged_into"],
        }
        for r in rows
    ]


async def erase(conn: Connection, keys: PersonalDataKeys, participant_id: UUID) -> None:
    """Crypto-shred: destroy the data key, drop the lookups, blank the ciphertexts."""
    await cipher(conn, keys).erase(str(participant_id))
    await conn.execute(
        "DELETE FROM participant_identifiers WHERE participant_id = $1", participant_id
    )
    # The ciphertexts are unreadable already; removing them too leaves nothing to brute-force.
    await conn.execute(
        "UPDATE participants SET personal = '{}', erased_at = now() WHERE participant_id = $1",
        participant_id,
    )
    await conn.execute("UPDATE case_notes SET body = '' WHERE participant_id = $1", participant_id)
