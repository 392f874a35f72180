"""A voucher's life after issue: approve, cancel, reverse a redemption, expire (pure, no I/O)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from contracts.vouchers import (
    ReversalReason,
    VoucherApproved,
    VoucherCancellationReason,
    VoucherExpired,
    VoucherReversed,
)
from services.vouchers import cancel, expire, redeem, reverse
from services.vouchers.cancel import CancelVoucher
from services.vouchers.expire import ExpireVoucher
from services.vouchers.reverse import ReverseRedemption
from services.vouchers.voucher import Status
from tests.support.deciders import then_refused, when
from tests.unit.vouchers.givens import (
    CLINIC,
    NOW,
    PARTICIPANT,
    STAFF,
    VOUCHER,
    given,
    issued,
    redeem_cmd,
    redeemed,
)


def test_a_voucher_with_redemptions_cannot_be_cancelled_until_they_are_reversed() -> None:
    rid = uuid.uuid4()
    state = given(issued(), redeemed("10.00", rid))
    reason = VoucherCancellationReason.ISSUED_IN_ERROR
    then_refused(when(cancel.decide, CancelVoucher(reason, STAFF, NOW), state), "has_redemptions")
    reversal = ReverseRedemption(rid, CLINIC, ReversalReason.BILLING_ERROR, STAFF, NOW)
    [reversed_] = reverse.decide(reversal, state)
    assert isinstance(reversed_, VoucherReversed)
    assert reversed_.amount == Decimal("10.00")
    assert cancel.decide(
        CancelVoucher(reason, STAFF, NOW), given(issued(), redeemed("10.00", rid), reversed_)
    )
    again = given(issued(), redeemed("10.00", rid), reversed_)
    then_refused(when(reverse.decide, reversal, again), "already_reversed")


def test_a_reversed_single_use_voucher_can_be_redeemed_again() -> None:
    rid = uuid.uuid4()
    reversal = ReverseRedemption(rid, CLINIC, ReversalReason.BILLING_ERROR, STAFF, NOW)
    [undone] = reverse.decide(reversal, given(issued(), redeemed("10.00", rid)))
    assert redeem.decide(redeem_cmd("10.00"), given(issued(), redeemed("10.00", rid), undone))


def test_expiry_happens_only_after_the_date_and_only_once() -> None:
    state = given(issued())
    assert expire.decide(ExpireVoucher(NOW), state) == []
    [expired] = expire.decide(ExpireVoucher(NOW + timedelta(days=31)), state)
    assert isinstance(expired, VoucherExpired)
    assert expire.decide(ExpireVoucher(NOW + timedelta(days=32)), given(issued(), expired)) == []


def test_approval_event_is_what_evolve_expects() -> None:
    approved = VoucherApproved(
        voucher_id=VOUCHER,
        participant_id=PARTICIPANT,
        amount=Decimal("900.00"),
        approved_by=STAFF,
        approved_at=NOW,
    )
    assert given(issued("900.00", approval=True), approved).status is Status.ACTIVE
