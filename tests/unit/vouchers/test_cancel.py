"""Cancelling a voucher: refused while it has redemptions, allowed once they are reversed."""

from __future__ import annotations

import uuid
from decimal import Decimal

from contracts.vouchers import ReversalReason, VoucherCancellationReason, VoucherReversed
from services.vouchers import cancel, reverse
from services.vouchers.cancel import CancelVoucher
from services.vouchers.reverse import ReverseRedemption
from tests.support.deciders import then_refused, when
from tests.unit.vouchers.givens import CLINIC, NOW, STAFF, given, issued, redeemed


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
