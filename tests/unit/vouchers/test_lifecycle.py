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
from services.vouchers import lifecycle
from services.vouchers.redeem import redeem
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
    then_refused(when(lifecycle.cancel, state, reason, STAFF, NOW), "has_redemptions")
    reversal = lifecycle.ReverseRedemption(rid, CLINIC, ReversalReason.BILLING_ERROR, STAFF, NOW)
    [reversed_] = lifecycle.reverse(reversal, state)
    assert isinstance(reversed_, VoucherReversed)
    assert reversed_.amount == Decimal("10.00")
    assert lifecycle.cancel(given(issued(), redeemed("10.00", rid), reversed_), reason, STAFF, NOW)
    again = given(issued(), redeemed("10.00", rid), reversed_)
    then_refused(when(lifecycle.reverse, reversal, again), "already_reversed")


def test_a_reversed_single_use_voucher_can_be_redeemed_again() -> None:
    rid = uuid.uuid4()
    reversal = lifecycle.ReverseRedemption(rid, CLINIC, ReversalReason.BILLING_ERROR, STAFF, NOW)
    [undone] = lifecycle.reverse(reversal, given(issued(), redeemed("10.00", rid)))
    assert redeem(redeem_cmd("10.00"), given(issued(), redeemed("10.00", rid), undone))


def test_expiry_happens_only_after_the_date_and_only_once() -> None:
    state = given(issued())
    assert lifecycle.expire(state, NOW) == []
    [expired] = lifecycle.expire(state, NOW + timedelta(days=31))
    assert isinstance(expired, VoucherExpired)
    assert lifecycle.expire(given(issued(), expired), NOW + timedelta(days=32)) == []


def test_approval_event_is_what_evolve_expects() -> None:
    approved = VoucherApproved(
        voucher_id=VOUCHER,
        participant_id=PARTICIPANT,
        amount=Decimal("900.00"),
        approved_by=STAFF,
        approved_at=NOW,
    )
    assert given(issued("900.00", approval=True), approved).status is Status.ACTIVE
