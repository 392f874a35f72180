"""The directory of receiving units: named units (a women's emergency centre of one
city) with their destination type,
region and handover contact; administered. A `receiving_service` principal acts as one unit
(its `unit_id` claim is the unit's id here)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from asyncpg import UniqueViolationError

from contracts.vocabulary import ReferralDestination, Region
from eventkit.decider import RefusalKind, Refused
from eventkit.ids import new_id
from eventkit.store import Connection


@dataclass(frozen=True)
class Unit:
    """A receiving unit as the referral rules need it."""

    unit_id: uuid.UUID
    name: str
    destination: ReferralDestination
    region: Region
    has_system_account: bool
    active: bool


_COLUMNS = "unit_id, name, destination, region, handover_contact, has_system_account, active"


async def add(conn: Connection, fields: dict[str, Any]) -> dict[str, Any]:
    """Add a unit; refuse a second unit of the same name in one region."""
    unit_id = new_id()
    row = await conn.fetchrow(
        f"INSERT INTO receiving_units ({_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"  # noqa: S608
        f" ON CONFLICT (name, region) DO NOTHING RETURNING {_COLUMNS}",
        unit_id, fields["name"], fields["destination"], fields["region"],
        fields["handover_contact"], fields["has_system_account"],
        fields["active"],
    )  # fmt: skip
    if row is None:
        raise Refused(
            "unit_exists", f"{fields['region']} already has a unit named so", RefusalKind.CONFLICT
        )
    return _plain(row)


async def update(conn: Connection, unit_id: uuid.UUID, changes: dict[str, Any]) -> dict[str, Any]:
    """Change a unit's name, contact, account or activity (its destination and region are
    fixed); refuse a name another unit of its region has. Referrals name their unit by id, so
    a renamed unit shows its new name in every list."""
    try:
        row = await conn.fetchrow(
            "UPDATE receiving_units SET"  # noqa: S608 - constant column names only
            " handover_contact = coalesce($2::jsonb, handover_contact),"
            " has_system_account = coalesce($3, has_system_account),"
            " active = coalesce($4, active),"
            " name = coalesce($5, name)"
            f" WHERE unit_id = $1 RETURNING {_COLUMNS}",
            unit_id,
            changes.get("handover_contact"),
            changes.get("has_system_account"),
            changes.get("active"),
            changes.get("name"),
        )
    except UniqueViolationError:
        raise Refused(
            "unit_exists", f"its region already has a unit named {changes['name']!r}",
            RefusalKind.CONFLICT,
        ) from None  # fmt: skip
    if row is None:
        raise Refused("unit_not_found", "no such receiving unit", RefusalKind.NOT_FOUND)
    return _plain(row)


async def listing(
    conn: Connection, region: Region | None, destination: ReferralDestination | None
) -> list[dict[str, Any]]:
    """Units, optionally of one region and destination type, by region and name."""
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM receiving_units"  # noqa: S608
        " WHERE ($1::text IS NULL OR region = $1) AND ($2::text IS NULL OR destination = $2)"
        " ORDER BY region, name",
        region,
        destination,
    )
    return [_plain(r) for r in rows]


async def addressed(conn: Connection, referral_id: uuid.UUID) -> Unit | None:
    """The unit a referral is addressed to; None when there is no such referral."""
    row = await conn.fetchrow(
        "SELECT u.unit_id, u.name, u.destination, u.region, u.has_system_account, u.active"
        " FROM referrals r JOIN receiving_units u USING (unit_id) WHERE r.referral_id = $1",
        referral_id,
    )
    return None if row is None else _unit(row)


async def find(conn: Connection, unit_id: uuid.UUID) -> Unit:
    """The unit, or `Refused` (422) when the directory has no such unit."""
    row = await conn.fetchrow(
        "SELECT unit_id, name, destination, region, has_system_account, active"
        " FROM receiving_units WHERE unit_id = $1",
        unit_id,
    )
    if row is None:
        raise Refused(
            "unknown_unit", "the directory has no such receiving unit", RefusalKind.INVALID
        )
    return _unit(row)


def _unit(row: Any) -> Unit:
    return Unit(
        row["unit_id"], row["name"], ReferralDestination(row["destination"]),
        Region(row["region"]), row["has_system_account"], row["active"],
    )  # fmt: skip


def _plain(row: Any) -> dict[str, Any]:
    return {**dict(row), "unit_id": str(row["unit_id"])}
