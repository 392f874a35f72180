"""What the referrals service layer needs besides the event store, as one small protocol.

`commands.py` speaks to `Ports`; `PostgresPorts(conn, master)` is the real one (the roster copy,
the directory, the consent copy, the sealed shared data, the read table and the audit log, all
in the command's transaction), and a unit test hands in an in-memory fake.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

from access.audit import append as audit
from access.audit_chain import AuditRecord
from access.crypto import MasterKey
from access.principal import Principal
from contracts.event import Event
from contracts.vocabulary import ReferralDestination
from eventkit.store import Connection
from roster.reach import Person, case_in_reach, participant_in_reach
from services.referrals import directory, shared_data, views
from services.referrals.consent import consent_given_at, standing_consent


class Ports(Protocol):
    """The lookups and side tables a command reads and keeps in its transaction."""

    async def participant_in_reach(
        self, principal: Principal, action: str, participant_id: UUID
    ) -> Person:
        """The surviving record, or `Refused`/`Forbidden` (`roster.reach`)."""

    async def case_in_reach(
        self, principal: Principal, action: str, case_id: UUID, person: Person
    ) -> datetime | None:
        """Refuse unless the case is known, within reach, and `person`'s; when it was opened."""

    async def unit(self, unit_id: UUID) -> directory.Unit:
        """The receiving unit, or `Refused` (invalid) when the directory has none."""

    async def unit_of(self, referral_id: UUID) -> directory.Unit | None:
        """The unit a referral is addressed to (None: no such referral)."""

    async def standing_consent(
        self, participant_id: UUID, destination: ReferralDestination, at: datetime | None = None
    ) -> UUID | None:
        """The consent that allows sharing with `destination` now (`consent.standing_consent`)."""

    async def consent_given_at(self, consent_id: UUID) -> datetime | None:
        """When that consent was given (`consent.consent_given_at`)."""

    async def seal(
        self, referral_id: UUID, participant_id: UUID, consent_id: UUID, fields: Mapping[str, str]
    ) -> None:
        """Store the shared minimum, encrypted (`shared_data.seal`)."""

    async def record(
        self, events: Sequence[Event], version: int, reason: str | None = None
    ) -> None:
        """Keep the read table in step (`views.record`)."""

    async def audit(self, record: AuditRecord) -> None:
        """Append to the audit log."""


class PostgresPorts:
    """The ports over one connection, in its transaction."""

    def __init__(self, conn: Connection, master: MasterKey) -> None:
        self.conn, self.master = conn, master

    async def participant_in_reach(
        self, principal: Principal, action: str, participant_id: UUID
    ) -> Person:
        return await participant_in_reach(self.conn, principal, action, participant_id)

    async def case_in_reach(
        self, principal: Principal, action: str, case_id: UUID, person: Person
    ) -> datetime | None:
        return await case_in_reach(self.conn, principal, action, case_id, person)

    async def unit(self, unit_id: UUID) -> directory.Unit:
        return await directory.find(self.conn, unit_id)

    async def unit_of(self, referral_id: UUID) -> directory.Unit | None:
        return await directory.addressed(self.conn, referral_id)

    async def standing_consent(
        self, participant_id: UUID, destination: ReferralDestination, at: datetime | None = None
    ) -> UUID | None:
        return await standing_consent(self.conn, participant_id, destination, at)

    async def consent_given_at(self, consent_id: UUID) -> datetime | None:
        return await consent_given_at(self.conn, consent_id)

    async def seal(
        self, referral_id: UUID, participant_id: UUID, consent_id: UUID, fields: Mapping[str, str]
    ) -> None:
        await shared_data.seal(self.conn, self.master, referral_id, participant_id, consent_id,
                               fields)  # fmt: skip

    async def record(
        self, events: Sequence[Event], version: int, reason: str | None = None
    ) -> None:
        await views.record(self.conn, events, version, reason)

    async def audit(self, record: AuditRecord) -> None:
        await audit(self.conn, record)
