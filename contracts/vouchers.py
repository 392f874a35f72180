"""Events of the health voucher aggregate: issue, approval, redemption by a partner provider.

``provider_id`` names the clinic, polyclinic or pharmacy, so a provider sees only its vouchers.
O.E. 2.2 counts unique people with a redemption that was not reversed.
"""

from enum import StrEnum
from typing import ClassVar, Self
from uuid import UUID

from pydantic import model_validator

from contracts.codes import Admin2Code, VoucherCoverageSet
from contracts.event import Event
from contracts.scalars import Money, ReasonCode, ReceiptNumber, UtcDateTime
from contracts.vocabulary import Region, Urgency

VoucherServices = VoucherCoverageSet


class VoucherEvent(Event):
    """Marker base of the voucher aggregate's events (stream key: ``voucher_id``)."""

    aggregate: ClassVar[str] = "voucher"
    subject_field: ClassVar[str] = "voucher_id"


class VoucherIssued(VoucherEvent):
    """A caseworker issued a voucher for a participant, up to ``amount``.

    ``provider_id`` names the one provider that may redeem it; ``None`` means any partner
    provider of ``region``. Above the program's standard cap (urgent and emblematic cases)
    ``requires_approval`` is set and the voucher can't be redeemed until ``voucher.approved``.
    With ``allows_partial`` it may be redeemed several times up to ``amount``; otherwise once.
    """

    event_type: ClassVar[str] = "voucher.issued"

    voucher_id: UUID
    case_id: UUID
    participant_id: UUID
    provider_id: UUID | None
    services: VoucherServices
    amount: Money
    urgency: Urgency = Urgency.ROUTINE
    emblematic: bool = False
    requires_approval: bool = False
    allows_partial: bool = False
    region: Region
    # Added later (optional, version kept): older vouchers carry no admin2.
    admin2: Admin2Code | None = None
    issued_by: UUID
    issued_at: UtcDateTime
    valid_until: UtcDateTime

    @model_validator(mode="after")
    def _valid_after_issue(self) -> Self:
        if self.valid_until <= self.issued_at:
            raise ValueError("valid_until must be after issued_at")
        return self


class VoucherApproved(VoucherEvent):
    """A coordinator approved the voucher for redemption, for ``amount`` at most."""

    event_type: ClassVar[str] = "voucher.approved"

    voucher_id: UUID
    participant_id: UUID
    amount: Money
    approved_by: UUID
    approved_at: UtcDateTime


class VoucherRedeemed(VoucherEvent):
    """A partner provider redeemed the voucher: services rendered, amount to be paid (O.E. 2.2)."""

    event_type: ClassVar[str] = "voucher.redeemed"

    voucher_id: UUID
    redemption_id: UUID
    participant_id: UUID
    provider_id: UUID
    amount: Money
    services: VoucherServices
    receipt_number: ReceiptNumber
    region: Region
    # The voucher's admin2, repeated (optional, version kept): older redemptions carry none.
    admin2: Admin2Code | None = None
    redeemed_at: UtcDateTime


class ReversalReason(StrEnum):
    """Why a redemption was reversed during reconciliation."""

    BILLING_ERROR = "billing_error"
    SERVICE_NOT_RENDERED = "service_not_rendered"
    DUPLICATE_REDEMPTION = "duplicate_redemption"
    FRAUD_SUSPECTED = "fraud_suspected"


class VoucherReversed(VoucherEvent):
    """A redemption was reversed: it is no longer paid nor counted."""

    event_type: ClassVar[str] = "voucher.reversed"

    voucher_id: UUID
    redemption_id: UUID
    participant_id: UUID
    provider_id: UUID
    amount: Money
    reason: ReversalReason
    reason_code: ReasonCode | None = None
    reversed_by: UUID
    reversed_at: UtcDateTime


class VoucherCancellationReason(StrEnum):
    """Why an unredeemed voucher was cancelled."""

    NO_LONGER_NEEDED = "no_longer_needed"
    PROVIDER_UNAVAILABLE = "provider_unavailable"
    REISSUED = "reissued"
    ISSUED_IN_ERROR = "issued_in_error"


class VoucherCancelled(VoucherEvent):
    """An unredeemed voucher was cancelled."""

    event_type: ClassVar[str] = "voucher.cancelled"

    voucher_id: UUID
    participant_id: UUID
    reason: VoucherCancellationReason
    reason_code: ReasonCode | None = None
    cancelled_by: UUID
    cancelled_at: UtcDateTime


class VoucherExpired(VoucherEvent):
    """An unredeemed voucher passed ``valid_until``; raised by the expiry process."""

    event_type: ClassVar[str] = "voucher.expired"

    voucher_id: UUID
    participant_id: UUID
    valid_until: UtcDateTime
    expired_at: UtcDateTime
