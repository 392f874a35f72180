"""Steps the referral tests share: units; registrations, cases and consent published as the cases
service does; requests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from contracts.consent import ConsentGiven, ConsentGiver, ConsentWithdrawn
from contracts.event import Event
from contracts.topics import PARTICIPANTS
from contracts.vocabulary import ConsentPurpose, ReferralDestination
from eventkit.positions import wait_for_events
from tests.support.roster import announce, case_of, registration
from tests.support.services import RunningService

SHARING = (ConsentPurpose.REFERRAL_SHARING, ConsentPurpose.SERVICES)


async def add_unit(
    referrals: RunningService,
    name: str,
    destination: str = "CEM",
    region: str = "tumbes",
    *,
    has_system_account: bool = True,
) -> str:
    admin = referrals.client("administrator")
    answer = await admin.post(
        "/units",
        json={"name": name, "destination": destination, "region": region,
              "handover_contact": {"office": f"Admisión {name}", "phone": "072 523 000"},
              "has_system_account": has_system_account},
    )  # fmt: skip
    assert answer.status_code == 201, answer.text
    return str(answer.json()["unit_id"])


async def publish(referrals: RunningService, *events: Event) -> None:
    """Publish as the cases service's relay does (each event to its topic); wait until the
    roster, and the consent copy for the participants topic, applied them."""
    published = await announce(referrals, events)
    on_participants = [i for i, topic in published.items() if topic == PARTICIPANTS.name]
    settings = referrals.app.state.settings
    await wait_for_events(
        referrals.app.state.pool, settings.consent_consumer, on_participants, within=30
    )


async def register(referrals: RunningService, participant_id: str, region: str = "tumbes") -> None:
    """The participant registered and a case opened for them (`case_of`), as the cases service
    announces them: what the referrals service's copy of who exists and where learns from."""
    await publish(referrals, *registration(participant_id, region))


async def give_consent(
    referrals: RunningService,
    participant_id: str,
    destinations: tuple[str, ...] = (),
    region: str = "tumbes",
) -> str:
    """A registered participant (see `register`) who consented to referral sharing."""
    consent_id = uuid.uuid4()
    await publish(
        referrals,
        *registration(participant_id, region),
        ConsentGiven(
            participant_id=uuid.UUID(participant_id), consent_id=consent_id, purposes=SHARING,
            given_by=ConsentGiver.PARTICIPANT, recorded_by=uuid.uuid4(),
            given_at=datetime.now(UTC),
            destinations=tuple(ReferralDestination(d) for d in destinations),
        ),
    )  # fmt: skip
    return str(consent_id)


async def withdraw_consent(referrals: RunningService, participant_id: str, consent_id: str) -> None:
    await publish(
        referrals,
        ConsentWithdrawn(
            participant_id=uuid.UUID(participant_id), consent_id=uuid.UUID(consent_id),
            purposes=(ConsentPurpose.REFERRAL_SHARING,), recorded_by=uuid.uuid4(),
            withdrawn_at=datetime.now(UTC),
        ),
    )  # fmt: skip


def referral_body(unit_id: str, participant_id: str, **overrides: Any) -> dict[str, Any]:
    return {
        "case_id": case_of(participant_id),
        "participant_id": participant_id,
        "unit_id": unit_id,
        "region": "tumbes",
        "assistance_type": "psychosocial",
        "reason": "gbv_care",
        "urgency": "routine",
        "shared": {"contact_phone": "+51 987 654 321", "preferred_contact_time": "morning"},
        **overrides,
    }


async def refer(
    referrals: RunningService, unit_id: str, region: str = "tumbes", **overrides: Any
) -> dict[str, Any]:
    """A consented participant referred to `unit_id` by a caseworker of `region`."""
    participant_id = str(uuid.uuid4())
    await give_consent(referrals, participant_id, region=region)
    caseworker = referrals.client("caseworker", regions=[region])
    body = referral_body(unit_id, participant_id, region=region, **overrides)
    answer = await caseworker.post("/referrals", json=body)
    assert answer.status_code == 201, answer.text
    return {**answer.json(), "participant_id": participant_id}
