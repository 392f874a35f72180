"""Approving a voucher that needs it: the approval makes it active."""

from __future__ import annotations

from decimal import Decimal

from contracts.vouchers import VoucherApproved
from services.vouchers.voucher import Status
from tests.unit.vouchers.givens import NOW, PARTICIPANT, STAFF, VOUCHER, given, issued


def test_approval_event_is_what_evolve_expects() -> None:
    approved = VoucherApproved(
        voucher_id=VOUCHER,
        participant_id=PARTICIPANT,
        amount=Decimal("900.00"),
        approved_by=STAFF,
        approved_at=NOW,
    )
    assert given(issued("900.00", approval=True), approved).status is Status.ACTIVE
