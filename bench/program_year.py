"""A program year's events, as the field records them: people registered month after month, each
reached by the project's activities in the weeks after.

Unlike `bench.events` (one example repeated, all at one instant), every person has a sex, an age,
a region and a population type of the program file's, and every act falls somewhere in the default
logframe's year (Year 2: Sep 2022 - Aug 2023), so the dashboard draws what a real year draws: every
indicator with a value, twelve months of bars, every sex x age and sex x region cell. Seeded: the
same `people` give the same year.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from contracts.cases import CaseOpened, ServiceDelivered
from contracts.envelope import Envelope, envelope_for
from contracts.event import Event
from contracts.outreach import DeliveryMode, LivelihoodOutcomeRecorded, MessageReached
from contracts.participants import ParticipantRegistered
from contracts.referrals import ReferralCompleted, ReferralRequested
from contracts.vouchers import VoucherRedeemed
from program.load import current_program

START = datetime(2022, 9, 1, 14, tzinfo=UTC)
DAYS = 365
STAFF = uuid.UUID("00000000-0000-4000-8000-00000000000a")
SEXES = (("woman", 55), ("man", 43), ("non_binary", 2))
OUTCOMES = ("employment_obtained", "self_employment_obtained", "employment_kept_6_months",
            "income_increased", "business_started", "vocational_skills_used")  # fmt: skip


def _make(model: type[Event], **data: Any) -> Event:
    return model.model_validate(data)


def _person(rng: random.Random, n: int) -> Iterator[Event]:
    """One person's registration and acts, each act within 60 days of it, inside the year."""
    program = current_program()
    person, case = uuid.uuid4(), uuid.uuid4()
    region = rng.choice([u.code for u in program.territories.reported()])
    registered = START + timedelta(days=rng.randrange(DAYS - 30), minutes=n % 480)
    end = START + timedelta(days=DAYS - 1)

    def later() -> datetime:
        return min(end, registered + timedelta(days=rng.randrange(60), minutes=1))

    born = f"{rng.randrange(1950, 2022)}-{rng.randrange(1, 13):02d}"
    sex = rng.choices([s for s, _ in SEXES], [w for _, w in SEXES])[0]
    population = rng.choice([t.code for t in program.population_types])
    yield _make(ParticipantRegistered, participant_id=person, sex=sex, birth_year_month=born,
                nationality="VEN", region=region, population_type=population,
                registered_by=STAFF, registered_at=registered)  # fmt: skip
    ids = {"participant_id": person, "region": region}
    topic = "health_services" if rng.random() < 0.8 else "income_generation"
    yield _make(MessageReached, reach_id=uuid.uuid4(), topic=topic, channel="fair",
                delivery_mode=DeliveryMode.IN_PERSON, reached_at=later(), **ids)  # fmt: skip
    roll = rng.random()
    if roll < 0.15:
        yield _make(CaseOpened, case_id=case, case_type="gbv_protection",
                    intake_channel="admission_form", caseworker_id=STAFF, opened_at=registered,
                    **ids)  # fmt: skip
        yield _make(ReferralCompleted, referral_id=uuid.uuid4(), case_id=case, destination="CEM",
                    destination_org_id=STAFF, assistance_type="psychosocial",
                    completed_by=STAFF, completed_at=later(), **ids)  # fmt: skip
    if roll < 0.35:
        kind = rng.choice(("psychological_first_aid", "livelihoods_advice"))
        yield _make(ServiceDelivered, delivery_id=uuid.uuid4(), case_id=case, service_type=kind,
                    delivered_by=STAFF, delivered_at=later(), **ids)  # fmt: skip
    if 0.3 < roll < 0.5:
        day = later()
        yield _make(ReferralRequested, referral_id=uuid.uuid4(), case_id=case, destination="SIS",
                    destination_org_id=STAFF, assistance_type="health_insurance",
                    consent_id=STAFF, requested_by=STAFF, requested_at=day,
                    respond_by=day + timedelta(days=7), **ids)  # fmt: skip
    if 0.45 < roll < 0.65:
        yield _make(VoucherRedeemed, voucher_id=uuid.uuid4(), redemption_id=uuid.uuid4(),
                    provider_id=STAFF, amount=Decimal("150.00"), services=["consultation"],
                    receipt_number=f"B001-{n:06d}", redeemed_at=later(), **ids)  # fmt: skip
    if roll > 0.9:
        yield _make(LivelihoodOutcomeRecorded, outcome_id=uuid.uuid4(),
                    program="despega_tus_suenos", outcome=rng.choice(OUTCOMES),
                    recorded_by=STAFF, observed_at=later(), **ids)  # fmt: skip


def envelopes(people: int, seed: int = 2022) -> Iterator[Envelope]:
    """The year's events for `people` people, each person's in order, as published to Kafka."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    for n in range(people):
        for event in _person(rng, n):
            yield envelope_for(event, event_id=str(uuid.uuid4()), time=now)
