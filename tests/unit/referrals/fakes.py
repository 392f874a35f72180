"""An in-memory `services.referrals.ports.Ports` for service-layer tests: a roster, a directory,
a consent copy, sealed data, the read table and the audit log as plain Python."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from access.audit_chain import AuditRecord
from access.principal import Principal, Role
from contracts.event import Event
from eventkit.decider import RefusalKind, Refused
from roster.reach import Person
from services.referrals.directory import Unit
from tests.support.peru import ReferralDestination, Region
from tests.unit.referrals.givens import CONSENT, UNIT

CASEWORKER = Principal("cw-7", "ngo-pe", Role.CASEWORKER, frozenset({Region.TUMBES}))
UNIT_ACCOUNT = Principal("cem-1", "mimp", Role.RECEIVING_SERVICE, unit_id=str(UNIT))
PARTICIPANT = uuid.UUID("9b2e6f0c-8d1a-4f3e-b7c2-5a6d4e3f2a1b")
CASE = uuid.UUID("3f1c2a7e-2d4b-4c55-9a53-0b7a1d1e9f10")


@dataclass
class FakePorts:
    """Knows one participant with one case, one active CEM unit with an account, and a consent
    allowing sharing with it; what commands keep is collected in `recorded`, `sealed`, `audited`."""

    units: dict[uuid.UUID, Unit] = field(
        default_factory=lambda: {
            UNIT: Unit(UNIT, "CEM Tumbes", ReferralDestination.CEM, Region.TUMBES, True, True)
        }
    )
    participants: dict[uuid.UUID, str] = field(default_factory=lambda: {PARTICIPANT: Region.TUMBES})
    cases: dict[uuid.UUID, uuid.UUID] = field(default_factory=lambda: {CASE: PARTICIPANT})
    consents: dict[tuple[uuid.UUID, str], uuid.UUID] = field(
        default_factory=lambda: {(PARTICIPANT, ReferralDestination.CEM): CONSENT}
    )
    addressed_to: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)
    opened: dict[uuid.UUID, datetime] = field(default_factory=dict)  # cases' opening times
    consented: dict[uuid.UUID, datetime] = field(default_factory=dict)  # consents' given times
    recorded: list[tuple[Event, int, str | None]] = field(default_factory=list)
    sealed: dict[uuid.UUID, dict[str, Any]] = field(default_factory=dict)
    audited: list[AuditRecord] = field(default_factory=list)

    async def participant_in_reach(
        self, principal: Principal, action: str, participant_id: uuid.UUID
    ) -> Person:
        region = self.participants.get(participant_id)
        if region is None:
            raise Refused("participant_unknown", "unknown", RefusalKind.CONFLICT, retry_after=1)
        return Person(participant_id, region)

    async def case_in_reach(
        self, principal: Principal, action: str, case_id: uuid.UUID, person: Person
    ) -> datetime | None:
        if case_id not in self.cases:
            raise Refused("case_unknown", "unknown", RefusalKind.CONFLICT, retry_after=1)
        if self.cases[case_id] != person.participant_id:
            raise Refused("case_not_participants", "not theirs", RefusalKind.INVALID)
        return self.opened.get(case_id)

    async def unit(self, unit_id: uuid.UUID) -> Unit:
        if unit_id not in self.units:
            raise Refused("unknown_unit", "no such unit", RefusalKind.INVALID)
        return self.units[unit_id]

    async def unit_of(self, referral_id: uuid.UUID) -> Unit | None:
        unit_id = self.addressed_to.get(referral_id)
        return None if unit_id is None else self.units[unit_id]

    async def standing_consent(
        self, participant_id: uuid.UUID, destination: str, at: datetime | None = None
    ) -> uuid.UUID | None:
        return self.consents.get((participant_id, destination))

    async def consent_given_at(self, consent_id: uuid.UUID) -> datetime | None:
        return self.consented.get(consent_id)

    async def seal(
        self,
        referral_id: uuid.UUID,
        participant_id: uuid.UUID,
        consent_id: uuid.UUID,
        fields: Mapping[str, str],
    ) -> None:
        self.sealed[referral_id] = {"participant_id": participant_id, "consent_id": consent_id,
                                    "fields": dict(fields)}  # fmt: skip

    async def record(
        self, events: Sequence[Event], version: int, reason: str | None = None
    ) -> None:
        for event in events:
            self.recorded.append((event, version, reason))
            unit_id = getattr(event, "destination_org_id", None)
            if unit_id is not None:
                self.addressed_to[event.referral_id] = unit_id  # type: ignore[attr-defined]

    async def audit(self, record: AuditRecord) -> None:
        self.audited.append(record)

    def actions(self) -> list[str]:
        return [record.action for record in self.audited]
