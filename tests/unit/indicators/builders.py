"""Real contract events for indicator tests, with readable defaults (one act per call)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from contracts.cases import CaseOpened, ServiceDelivered
from contracts.event import Event
from contracts.legal_complaints import LegalAuthority, LegalComplaintTakenUp
from contracts.outreach import DeliveryMode, LivelihoodOutcomeRecorded, MessageReached
from contracts.participants import ParticipantCorrected, ParticipantMerged, ParticipantRegistered
from contracts.referrals import ReferralCompleted, ReferralRequested
from contracts.vouchers import VoucherRedeemed, VoucherReversed
from services.indicators.facts import facts_from
from services.indicators.ledger import Ledger
from services.indicators.logframe import Logframe

STAFF = uuid.UUID("00000000-0000-4000-8000-00000000000a")
Numbered = tuple[str, Event]
"""An event with its envelope id, as the projection receives it."""


def pid(n: int) -> uuid.UUID:
    """A readable participant (or case) id."""
    return uuid.UUID(f"00000000-0000-4000-8000-{n:012d}")


def at(day: str, hour: int = 15) -> datetime:
    """An instant in Lima local time (UTC-5): `day` at `hour`, or `day` as `YYYY-MM-DDTHH:MM`."""
    local = datetime.fromisoformat(day)
    if "T" not in day:
        local += timedelta(hours=hour)
    return local.replace(tzinfo=UTC) + timedelta(hours=5)


def numbered(*events: Event) -> list[Numbered]:
    """Give each event a fresh id."""
    return [(str(uuid.uuid4()), e) for e in events]


def _make(model: type[Event], **data: Any) -> Event:
    # Validated like a decoded message: enum values may be given as their wire strings.
    return model.model_validate(data)


def ledger_of(logframe: Logframe, events: Iterable[Numbered]) -> Ledger:
    """The ledger after applying events in the order given."""
    ledger = Ledger()
    for event_id, event in events:
        ledger.record(facts_from(logframe, event_id, event))
    return ledger


def registered(p: int, sex: str = "woman", born: str = "1990-05", day: str = "2022-09-01") -> Event:
    return _make(
        ParticipantRegistered,
        participant_id=pid(p), sex=sex, birth_year_month=born, nationality="VEN",
        region="lima_callao", registered_by=STAFF, registered_at=at(day, 9),
    )  # fmt: skip


def corrected(p: int, day: str = "2022-12-01", **changes: Any) -> Event:
    return _make(
        ParticipantCorrected,
        participant_id=pid(p), reason="data_entry_error", corrected_by=STAFF,
        corrected_at=at(day, 9), **changes,
    )  # fmt: skip


def merged(merged_p: int, into: int, day: str = "2023-01-10") -> Event:
    return _make(
        ParticipantMerged,
        merged_participant_id=pid(merged_p), surviving_participant_id=pid(into),
        reason="duplicate_registration", merged_by=STAFF, merged_at=at(day, 9),
    )  # fmt: skip


def service(p: int, kind: str, day: str = "2022-10-05", region: str = "lima_callao",
            case: int | None = None) -> Event:  # fmt: skip
    return _make(
        ServiceDelivered,
        delivery_id=uuid.uuid4(), case_id=pid(case or 9000 + p), participant_id=pid(p),
        service_type=kind, region=region, delivered_by=STAFF, delivered_at=at(day),
    )  # fmt: skip


def case_opened(p: int, kind: str = "gbv_protection", day: str = "2022-10-01",
                region: str = "lima_callao") -> Event:  # fmt: skip
    profile = "vulnerability" if kind == "migratory_regularization" else None
    return _make(
        CaseOpened,
        case_id=pid(9000 + p), participant_id=pid(p), case_type=kind,
        intake_channel="admission_form", regularization_profile=profile, region=region,
        caseworker_id=STAFF, opened_at=at(day),
    )  # fmt: skip


def referral_completed(p: int, assistance: str = "psychosocial", day: str = "2022-10-20",
                       region: str = "lima_callao") -> Event:  # fmt: skip
    return _make(
        ReferralCompleted,
        referral_id=uuid.uuid4(), case_id=pid(9000 + p), participant_id=pid(p), destination="CEM",
        destination_org_id=STAFF, assistance_type=assistance, region=region,
        completed_by=STAFF, completed_at=at(day),
    )  # fmt: skip


def referral_requested(p: int, destination: str = "SIS", day: str = "2022-10-20",
                       region: str = "piura") -> Event:  # fmt: skip
    return _make(
        ReferralRequested,
        referral_id=uuid.uuid4(), case_id=pid(9000 + p), participant_id=pid(p),
        destination=destination, destination_org_id=STAFF, assistance_type="health_insurance",
        consent_id=STAFF, region=region, requested_by=STAFF, requested_at=at(day),
        respond_by=at(day) + timedelta(days=7),
    )  # fmt: skip


def taken_up(p: int, case: int, day: str = "2022-11-15", region: str = "tumbes") -> Event:
    return _make(
        LegalComplaintTakenUp,
        complaint_id=uuid.uuid4(), case_id=pid(case), participant_id=pid(p),
        authority=LegalAuthority.PROSECUTOR, region=region, recorded_by=STAFF,
        taken_up_at=at(day),
    )  # fmt: skip


def redeemed(
    p: int, redemption: int, day: str = "2022-11-02", region: str = "la_libertad"
) -> Event:
    return _make(
        VoucherRedeemed,
        voucher_id=pid(7000 + redemption), redemption_id=pid(8000 + redemption),
        participant_id=pid(p), provider_id=STAFF, amount=Decimal("150.00"),
        services=["consultation"], receipt_number=f"B001-{redemption:06d}", region=region,
        redeemed_at=at(day),
    )  # fmt: skip


def reversed_(p: int, redemption: int, day: str = "2022-11-20") -> Event:
    return _make(
        VoucherReversed,
        voucher_id=pid(7000 + redemption), redemption_id=pid(8000 + redemption),
        participant_id=pid(p), provider_id=STAFF, amount=Decimal("150.00"),
        reason="billing_error", reversed_by=STAFF, reversed_at=at(day),
    )  # fmt: skip


def message(p: int, topic: str = "health_services", day: str = "2022-09-15",
            region: str = "lima_callao") -> Event:  # fmt: skip
    return _make(
        MessageReached,
        reach_id=uuid.uuid4(), participant_id=pid(p), topic=topic, channel="fair",
        delivery_mode=DeliveryMode.IN_PERSON, region=region, reached_at=at(day),
    )  # fmt: skip


def outcome(p: int, what: str, day: str = "2023-03-01", region: str = "la_libertad") -> Event:
    return _make(
        LivelihoodOutcomeRecorded,
        outcome_id=uuid.uuid4(), participant_id=pid(p), program="despega_tus_suenos",
        outcome=what, region=region, recorded_by=STAFF, observed_at=at(day),
    )  # fmt: skip
