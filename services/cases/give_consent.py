"""Give consent per purpose, by the person or a guardian.

Sharing with referral destinations is its own purpose, and the consent may name the
destinations the person agreed to (program codes); withdrawing referral_sharing withdraws it
for every destination of that consent (give a new consent to narrow it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from contracts.consent import ConsentGiven, ConsentGiver
from contracts.vocabulary import ConsentPurpose, ReferralDestination
from eventkit.decider import RefusalKind, Refused
from eventkit.field_time import PROGRAM_RULES, FieldTimeRules, happened
from services.cases.participant import Participant, active


@dataclass(frozen=True)
class GiveConsent:
    consent_id: UUID
    purposes: frozenset[ConsentPurpose]
    given_by: ConsentGiver
    recorded_by: UUID
    now: datetime
    destinations: frozenset[ReferralDestination] = frozenset()
    occurred_at: datetime | None = None  # when it happened in the field; None: now
    rules: FieldTimeRules = PROGRAM_RULES


def decide(command: GiveConsent, state: Participant) -> list[ConsentGiven]:
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
    given_at = happened(
        "given", command.occurred_at, command.now, command.rules,
        [("registration", state.registered_at)],
    )  # fmt: skip
    return [
        ConsentGiven(
            participant_id=participant_id,
            consent_id=command.consent_id,
            purposes=tuple(sorted(command.purposes)),
            destinations=tuple(sorted(command.destinations)),
            given_by=command.given_by,
            recorded_by=command.recorded_by,
            given_at=given_at,
        )
    ]
