"""The participant aggregate's state, folded from its events (pure).

One stream per person (`participant_id`): registration, corrections, a merge into another record,
consents, and the outreach and livelihood facts counted for that person. Personal data (names,
documents, phones) is never part of it: it lives encrypted in the service's tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID

from contracts.consent import ConsentGiven, ConsentWithdrawn
from contracts.event import Event
from contracts.livelihoods import LivelihoodEnrolled, LivelihoodTrainingFinished
from contracts.outreach import LivelihoodOutcomeRecorded
from contracts.participants import (
    ParticipantCorrected,
    ParticipantErased,
    ParticipantMerged,
    ParticipantRegistered,
)
from contracts.people import Sex
from contracts.vocabulary import ConsentPurpose, LivelihoodOutcome, LivelihoodProgram, Region
from eventkit.decider import RefusalKind, Refused


@dataclass(frozen=True)
class Participant:
    """Everything the rules need to know about one person record."""

    participant_id: UUID | None = None
    region: Region | None = None
    registered_at: datetime | None = None
    sex: Sex | None = None
    birth_year_month: str | None = None
    merged_into: UUID | None = None
    erased: bool = False  # personal data erased: no new acts about the person
    # consent id -> the purposes it still grants (withdrawn purposes removed)
    consents: dict[UUID, frozenset[ConsentPurpose]] = field(default_factory=dict)
    consent_given_at: dict[UUID, datetime] = field(default_factory=dict)
    enrolled: frozenset[LivelihoodProgram] = frozenset()
    training_finished: dict[LivelihoodProgram, datetime] = field(default_factory=dict)
    outcomes: tuple[tuple[LivelihoodProgram, LivelihoodOutcome, datetime], ...] = ()

    @property
    def standing_purposes(self) -> frozenset[ConsentPurpose]:
        """The purposes some consent of this person grants right now."""
        return frozenset().union(*self.consents.values())


def active(state: Participant) -> UUID:
    """The participant id, refusing an unknown, erased or merged-away record."""
    if state.participant_id is None:
        raise Refused("participant_not_found", "no such participant", RefusalKind.NOT_FOUND)
    if state.erased:
        raise Refused(
            "participant_erased",
            "this participant's personal data was erased; nothing new is recorded about them",
            RefusalKind.CONFLICT,
        )
    if state.merged_into is not None:
        raise Refused(
            "participant_merged",
            f"this record was merged into participant {state.merged_into}; use that id",
            RefusalKind.CONFLICT,
        )
    return state.participant_id


def require_consent(state: Participant, purpose: ConsentPurpose) -> None:
    """Refuse (409, naming the purpose) unless the person's consent for `purpose` stands."""
    if purpose not in state.standing_purposes:
        raise Refused(
            "consent_missing",
            f"the participant has no standing consent for purpose '{purpose}'; record it first",
            RefusalKind.CONFLICT,
        )


def evolve(state: Participant, event: Event) -> Participant:
    """The state after one more event."""
    match event:
        case ParticipantRegistered():
            return Participant(
                participant_id=event.participant_id,
                region=event.region,
                registered_at=event.registered_at,
                sex=event.sex,
                birth_year_month=event.birth_year_month,
            )
        case ParticipantCorrected():
            return replace(
                state,
                region=event.region or state.region,
                sex=event.sex or state.sex,
                birth_year_month=event.birth_year_month or state.birth_year_month,
            )
        case ParticipantMerged():
            return replace(state, merged_into=event.surviving_participant_id)
        case ParticipantErased():
            return replace(state, erased=True)
        case ConsentGiven():
            granted = frozenset(event.purposes)
            return replace(
                state,
                consents={**state.consents, event.consent_id: granted},
                consent_given_at={**state.consent_given_at, event.consent_id: event.given_at},
            )
        case ConsentWithdrawn():
            left = state.consents.get(event.consent_id, frozenset()) - set(event.purposes)
            return replace(state, consents={**state.consents, event.consent_id: left})
        case LivelihoodOutcomeRecorded():
            outcome = (event.program, event.outcome, event.observed_at)
            return replace(state, outcomes=(*state.outcomes, outcome))
        case LivelihoodEnrolled():
            return replace(state, enrolled=state.enrolled | {event.program})
        case LivelihoodTrainingFinished():
            finished = {**state.training_finished, event.program: event.finished_at}
            return replace(state, training_finished=finished)
    return state
