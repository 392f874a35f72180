"""Checks of a command naming a participant or a case, against the copy (in its transaction).

- An id the copy does not know is refused with `participant_unknown` / `case_unknown` (409 with
  `Retry-After`): it was never registered, or its event has not arrived yet (the copy trails the
  cases service by a moment); retrying shortly after a registration succeeds.
- Every region involved must be within the caller's reach for the action (403 otherwise): the
  named record's, the record it was merged into, the case's.
- A merged id is followed to the surviving record, which the command then acts on.
- An erased person is refused with `participant_erased` (409): nothing new about them.
- A case must be the participant's (or a record merged into it): `case_not_participants` (422).

The participant's row is locked `FOR SHARE` until the command commits, so an erasure being
applied at the same moment waits for it, then destroys what it wrote too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from access.fastapi import authorize
from access.policy import ResourceScope
from access.principal import Principal, Region
from eventkit.decider import RefusalKind, Refused
from eventkit.store import Connection

RETRY_AFTER_SECONDS = 1
_MERGE_CHAIN_LIMIT = 10  # a longer chain is a data error, not a person


@dataclass(frozen=True)
class Person:
    """The record a command acts on (the surviving one) and its region."""

    participant_id: UUID
    region: Region


async def participant_in_reach(
    conn: Connection, principal: Principal, action: str, participant_id: UUID
) -> Person:
    """The surviving record of `participant_id`, once every check above passed."""
    current = participant_id
    for _ in range(_MERGE_CHAIN_LIMIT):
        row = await conn.fetchrow(
            "SELECT region, merged_into, erased_at FROM roster_participants"
            " WHERE participant_id = $1 FOR SHARE",
            current,
        )
        if row is None or row["region"] is None:
            raise Refused(
                "participant_unknown",
                f"participant {current} is not known to this service (yet): register them in"
                " the cases service, or retry shortly after registering",
                RefusalKind.CONFLICT,
                retry_after=RETRY_AFTER_SECONDS,
            )
        region = Region(row["region"])
        authorize(principal, action, ResourceScope(region=region))
        if row["erased_at"] is not None:
            raise Refused(
                "participant_erased",
                f"participant {current}'s personal data was erased: nothing new is recorded"
                " about them",
                RefusalKind.CONFLICT,
            )
        if row["merged_into"] is None:
            return Person(current, region)
        current = row["merged_into"]
    raise Refused(
        "merge_chain_too_long", "the participant's merge chain is too long", RefusalKind.INVALID
    )


async def surviving(conn: Connection, participant_id: UUID) -> UUID:
    """The id a merged record redirects to (itself when not merged)."""
    seen = {participant_id}
    while True:
        into = await conn.fetchval(
            "SELECT merged_into FROM roster_participants WHERE participant_id = $1",
            participant_id,
        )
        if into is None or into in seen:
            return participant_id
        seen.add(into)
        participant_id = into


async def case_in_reach(
    conn: Connection, principal: Principal, action: str, case_id: UUID, person: Person
) -> datetime | None:
    """Refuse unless the case is known, within reach, and `person`'s; when it was opened (what
    an act of the case may not come before; None when the copy predates that column)."""
    row = await conn.fetchrow(
        "SELECT participant_id, region, opened_at FROM roster_cases WHERE case_id = $1", case_id
    )
    if row is None:
        raise Refused(
            "case_unknown",
            f"case {case_id} is not known to this service (yet): open it in the cases service,"
            " or retry shortly after opening it",
            RefusalKind.CONFLICT,
            retry_after=RETRY_AFTER_SECONDS,
        )
    authorize(principal, action, ResourceScope(region=Region(row["region"])))
    if await surviving(conn, row["participant_id"]) != person.participant_id:
        raise Refused(
            "case_not_participants",
            f"case {case_id} is not participant {person.participant_id}'s case",
            RefusalKind.INVALID,
        )
    opened: datetime | None = row["opened_at"]
    return opened
