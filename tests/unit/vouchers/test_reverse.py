"""Reversing a redemption: what was redeemed can be redeemed again."""

from __future__ import annotations

import uuid

from contracts.vouchers import ReversalReason
from services.vouchers import redeem, reverse
from services.vouchers.reverse import ReverseRedemption
from tests.unit.vouchers.givens import CLINIC, NOW, STAFF, given, issued, redeem_cmd, redeemed


def test_a_reversed_single_use_voucher_can_be_redeemed_again() -> None:
    rid = uuid.uuid4()
    reversal = ReverseRedemption(rid, CLINIC, ReversalReason.BILLING_ERROR, STAFF, NOW)
    [undone] = reverse.decide(reversal, given(issued(), redeemed("10.00", rid)))
    assert redeem.decide(redeem_cmd("10.00"), given(issued(), redeemed("10.00", rid), undone))
