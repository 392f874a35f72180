"""Withdraw consent, in part or whole; withdrawing referral_sharing withdraws it for every
destination of that consent (give a new consent to narrow it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from contracts.consent import ConsentWithdrawalReason, ConsentWithdrawn
from contracts.vocabulary import ConsentPurpose
from eventkit.decider import RefusalKind, Refused
from eventkit.field_time import PROGRAM_RULES, FieldTimeRules, happened
from services.cases.participant import Participant, active


@dataclass(frozen=True)
class WithdrawConsent:
    consent_id: UUID
    purposes: frozenset[ConsentPurpose] | None  # None: every purpose the consent still grants
    reason: ConsentWithdrawalReason
    recorded_by: UUID
    now: datetime
    occurred_at: datetime | None = None  # when it happened in the field; None: now
    rules: FieldTimeRules = PROGRAM_RULES


def decide(command: WithdrawConsent, state: Participant) -> list[ConsentWithdrawn]:
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
    withdrawn_at = happened(
        "withdrawn", command.occurred_at, command.now, command.rules,
        [("consent", state.consent_given_at.get(command.consent_id))],
    )  # fmt: skip
    return [
        ConsentWithdrawn(
            participant_id=participant_id,
            consent_id=command.consent_id,
            purposes=tuple(sorted(purposes)),
            reason=command.reason,
            recorded_by=command.recorded_by,
            withdrawn_at=withdrawn_at,
        )
    ]
