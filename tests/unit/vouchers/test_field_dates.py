"""Vouchers dated in the field: issue, approval, redemption and reversal take the moment they
happened; expiry is judged at the time of service, within the claim window."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from contracts.vouchers import (
    ReversalReason,
    VoucherApproved,
    VoucherExpired,
    VoucherIssued,
    VoucherRedeemed,
    VoucherReversed,
)
from services.vouchers import approve, expire, issue, redeem, reverse
from tests.support.deciders import then_only, then_refused, when
from tests.unit.vouchers.givens import NOW, STAFF, given, issue_cmd, issued, redeem_cmd

ISSUED_AT = NOW - timedelta(days=1)
VALID_UNTIL = NOW + timedelta(days=30)


def test_a_voucher_issued_in_the_field_carries_the_day_it_was_issued() -> None:
    back = NOW - timedelta(days=100)
    command = replace(issue_cmd("100.00", valid_until=NOW - timedelta(days=40)), occurred_at=back)
    then_only(when(issue.decide, command, given()), VoucherIssued, issued_at=back)


def test_issue_in_the_future_or_before_the_program_is_refused() -> None:
    future = replace(issue_cmd("100.00"), occurred_at=NOW + timedelta(hours=1))
    then_refused(when(issue.decide, future, given()), "issued_in_future")
    old = replace(issue_cmd("100.00"), occurred_at=NOW.replace(year=2020))
    then_refused(when(issue.decide, old, given()), "issued_before_program_start")


def test_valid_until_must_follow_the_issue_not_the_recording() -> None:
    command = replace(issue_cmd("100.00", valid_until=NOW - timedelta(days=40)),
                      occurred_at=NOW - timedelta(days=39, hours=23))  # fmt: skip
    then_refused(when(issue.decide, command, given()), "valid_until_in_past")


def test_a_redemption_carries_when_the_clinic_served() -> None:
    served = NOW - timedelta(hours=20)
    command = replace(redeem_cmd("80.00"), occurred_at=served)
    then_only(when(redeem.decide, command, given(issued())), VoucherRedeemed, redeemed_at=served)


def test_a_redemption_before_the_voucher_was_issued_is_refused() -> None:
    command = replace(redeem_cmd("80.00"), occurred_at=ISSUED_AT - timedelta(minutes=1))
    then_refused(when(redeem.decide, command, given(issued())), "redeemed_before_issue")


def test_a_redemption_in_the_future_is_refused() -> None:
    command = replace(redeem_cmd("80.00"), occurred_at=NOW + timedelta(minutes=10))
    then_refused(when(redeem.decide, command, given(issued())), "redeemed_in_future")


def test_a_redemption_before_its_approval_is_refused() -> None:
    approved = when(
        approve.decide, approve.ApproveVoucher(STAFF, NOW), given(issued(approval=True))
    )
    assert isinstance(approved, list)
    command = replace(redeem_cmd("80.00"), occurred_at=NOW - timedelta(hours=1))
    state = given(issued(approval=True), *approved)
    then_refused(when(redeem.decide, command, state), "redeemed_before_approval")


def _expired() -> list[VoucherIssued | VoucherExpired]:
    later = VALID_UNTIL + timedelta(hours=1)
    [gone] = expire.decide(expire.ExpireVoucher(later), given(issued()))
    return [issued(), gone]


def test_care_given_before_expiry_and_sent_later_is_paid_on_an_expired_voucher() -> None:
    served = VALID_UNTIL - timedelta(days=1)
    command = replace(redeem_cmd("80.00", now=VALID_UNTIL + timedelta(days=20)),
                      occurred_at=served)  # fmt: skip
    then_only(when(redeem.decide, command, given(*_expired())), VoucherRedeemed, redeemed_at=served)


def test_care_given_after_expiry_is_refused_even_if_sent_at_once() -> None:
    command = replace(redeem_cmd("80.00", now=VALID_UNTIL + timedelta(days=2)),
                      occurred_at=VALID_UNTIL + timedelta(days=1))  # fmt: skip
    then_refused(when(redeem.decide, command, given(*_expired())), "expired")
    late = redeem_cmd("80.00", now=VALID_UNTIL + timedelta(days=2))
    then_refused(when(redeem.decide, late, given(*_expired())), "expired")


def test_past_the_claim_window_only_a_supervisor_records_the_redemption() -> None:
    served = VALID_UNTIL - timedelta(days=1)
    command = replace(redeem_cmd("80.00", now=served + timedelta(days=61)), occurred_at=served)
    refused = then_refused(when(redeem.decide, command, given(*_expired())), "claim_window_passed")
    assert refused.kind == "forbidden"
    supervised = replace(command, beyond_claim_window=True)
    then_only(when(redeem.decide, supervised, given(*_expired())), VoucherRedeemed)


def test_an_approval_before_the_issue_is_refused() -> None:
    command = approve.ApproveVoucher(STAFF, NOW, occurred_at=ISSUED_AT - timedelta(hours=1))
    then_refused(
        when(approve.decide, command, given(issued(approval=True))), "approved_before_issue"
    )
    at = ISSUED_AT + timedelta(hours=1)
    command = approve.ApproveVoucher(STAFF, NOW, occurred_at=at)
    then_only(when(approve.decide, command, given(issued(approval=True))), VoucherApproved,
              approved_at=at)  # fmt: skip


def test_a_reversal_before_the_redemption_is_refused() -> None:
    served = NOW - timedelta(hours=5)
    [done] = redeem.decide(replace(redeem_cmd("80.00"), occurred_at=served), given(issued()))
    assert isinstance(done, VoucherRedeemed)
    command = reverse.ReverseRedemption(done.redemption_id, done.provider_id,
                                        ReversalReason.BILLING_ERROR, STAFF, NOW,
                                        occurred_at=served - timedelta(hours=1))  # fmt: skip
    then_refused(when(reverse.decide, command, given(issued(), done)), "reversed_before_redemption")
    ok = replace(command, occurred_at=served + timedelta(hours=1))
    then_only(when(reverse.decide, ok, given(issued(), done)), VoucherReversed)
