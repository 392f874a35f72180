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
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from access.blind_index import Kind, blind_index
from access.crypto import PersonalDataCipher
from access.participant_keys import Erased, PostgresParticipantKeys
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


async def erase(
    conn: Connection, keys: PersonalDataKeys, participant_id: UUID, at: datetime
) -> None:
    """Crypto-shred: destroy the data key, drop the lookups, blank the ciphertexts; `at`, the
    erasing command's time."""
    await cipher(conn, keys).erase(str(participant_id), at)
    await conn.execute(
        "DELETE FROM participant_identifiers WHERE participant_id = $1", participant_id
    )
    # The ciphertexts are unreadable already; removing them too leaves nothing to brute-force.
    await conn.execute(
        "UPDATE participants SET personal = '{}', erased_at = $2 WHERE participant_id = $1",
        participant_id,
        at,
    )
    await conn.execute("UPDATE case_notes SET body = '' WHERE participant_id = $1", participant_id)


async def reseal(
    conn: Connection, keys: PersonalDataKeys, participant_id: UUID, fields: dict[str, str]
) -> None:
    """Seal corrected fields in place of the ones held; refused once the person was erased."""
    erased = await conn.fetchval(
        "SELECT erased_at FROM participants WHERE participant_id = $1", participant_id
    )
    if erased is not None:
        raise Refused(
            "personal_data_erased",
            "this participant's personal data was erased",
            RefusalKind.CONFLICT,
        )
    sealed = await cipher(conn, keys).encrypt(str(participant_id), fields)
    await conn.execute(
        "UPDATE participants SET personal = personal || $2 WHERE participant_id = $1",
        participant_id,
        sealed,
    )


@dataclass(frozen=True)
class Note:
    """A follow-up note on a case: personal data, sealed under its participant's key."""

    note_id: UUID
    case_id: UUID
    participant_id: UUID
    written_by: UUID
    written_at: datetime
    text: str


async def keep_note(conn: Connection, keys: PersonalDataKeys, note: Note) -> None:
    """A case note sealed under the participant's key (never an event)."""
    field = f"note/{note.note_id}"
    try:
        sealed = await cipher(conn, keys).encrypt(str(note.participant_id), {field: note.text})
    except Erased:  # the person's key is destroyed: nothing can be written about them
        raise Refused(
            "participant_erased",
            "this case's participant was erased; no note can be added",
            RefusalKind.CONFLICT,
        ) from None
    await conn.execute(
        "INSERT INTO case_notes VALUES ($1, $2, $3, $4, $5, $6)",
        note.note_id, note.case_id, note.participant_id, note.written_by, note.written_at,
        sealed[field],
    )  # fmt: skip
