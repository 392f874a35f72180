"""Expiring a voucher: only after its date, and only once."""

from __future__ import annotations

from datetime import timedelta

from contracts.vouchers import VoucherExpired
from services.vouchers import expire
from services.vouchers.expire import ExpireVoucher
from tests.unit.vouchers.givens import NOW, given, issued


def test_expiry_happens_only_after_the_date_and_only_once() -> None:
    state = given(issued())
    assert expire.decide(ExpireVoucher(NOW), state) == []
    [expired] = expire.decide(ExpireVoucher(NOW + timedelta(days=31)), state)
    assert isinstance(expired, VoucherExpired)
    assert expire.decide(ExpireVoucher(NOW + timedelta(days=32)), given(issued(), expired)) == []
