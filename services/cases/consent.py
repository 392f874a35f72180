"""Consent per purpose: given by the person or a guardian, withdrawable (pure rules).

Sharing with referral destinations is its own purpose, and the consent may name the
destinations the person agreed to (CEM, SIS, ...); withdrawing referral_sharing withdraws it
for every destination of that consent (give a new consent to narrow it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from contracts.consent import ConsentGiven, ConsentGiver, ConsentWithdrawalReason, ConsentWithdrawn
from contracts.vocabulary import ConsentPurpose, ReferralDestination
from eventkit.decider import RefusalKind, Refused
from services.cases.participant import Participant, active


@dataclass(frozen=True)
class GiveConsent:
    consent_id: UUID
    purposes: frozenset[ConsentPurpose]
    given_by: ConsentGiver
    recorded_by: UUID
    now: datetime
    destinations: frozenset[ReferralDestination] = frozenset()


def give(command: GiveConsent, state: Participant) -> list[ConsentGiven]:
    """Record informed consent for one or more purposes."""
    participant_id = active(state)
    if not command.purposes:
        raise Refused("no_purpose", "consent needs at least one purpose", RefusalKind.INVALID)
    if command.destinations and ConsentPurpose.REFERRAL_SHARING not in command.purposes:
        raise Refused(
            "destinations_without_sharing",
            "destinations are named only with the referral_sharing purpose",
            RefusalKind.INVALID,
        )
    return [
        ConsentGiven(
            participant_id=participant_id,
            consent_id=command.consent_id,
            purposes=tuple(sorted(command.purposes)),
            destinations=tuple(sorted(command.destinations)),
            given_by=command.given_by,
            recorded_by=command.recorded_by,
            given_at=command.now,
        )
    ]


@dataclass(frozen=True)
class WithdrawConsent:
    consent_id: UUID
    purposes: frozenset[ConsentPurpose] | None  # None: every purpose the consent still grants
    reason: ConsentWithdrawalReason
    recorded_by: UUID
    now: datetime


def withdraw(command: WithdrawConsent, state: Participant) -> list[ConsentWithdrawn]:
    """Withdraw some or all purposes of a consent; what was never granted cannot be withdrawn."""
    participant_id = active(state)
    if command.consent_id not in state.consents:
        raise Refused(
            "consent_not_found", "no such consent for this participant", RefusalKind.NOT_FOUND
        )
    standing = state.consents[command.consent_id]
    purposes = standing if command.purposes is None else command.purposes
    if not standing:
        raise Refused(
            "consent_already_withdrawn", "this consent was already withdrawn", RefusalKind.CONFLICT
        )
    not_granted = purposes - standing
    if not_granted:
        names = ", ".join(sorted(not_granted))
        raise Refused(
            "purpose_not_granted", f"this consent does not grant: {names}", RefusalKind.CONFLICT
        )
    return [
        ConsentWithdrawn(
            participant_id=participant_id,
            consent_id=command.consent_id,
            purposes=tuple(sorted(purposes)),
            reason=command.reason,
            recorded_by=command.recorded_by,
            withdrawn_at=command.now,
        )
    ]
