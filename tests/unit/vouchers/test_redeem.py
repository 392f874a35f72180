"""Redeeming a voucher: given events, when redeem, then the redemption or a refusal (pure)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from contracts.event import Event
from contracts.vouchers import VoucherCancellationReason, VoucherCancelled
from eventkit.http import REFUSAL_STATUS
from services.vouchers import approve, redeem
from services.vouchers.approve import ApproveVoucher
from services.vouchers.redeem import RedeemVoucher
from tests.support.deciders import then_refused, when
from tests.support.peru import Region
from tests.unit.vouchers.givens import (
    CLINIC,
    EXAMS,
    LIMA,
    NOW,
    OTHER_CLINIC,
    PARTICIPANT,
    STAFF,
    VOUCHER,
    given,
    issued,
    redeem_cmd,
    redeemed,
)


def test_a_redemption_records_amount_services_receipt_and_region() -> None:
    [event] = redeem.decide(redeem_cmd("80.00"), given(issued()))
    assert (event.amount, event.provider_id, event.region) == (Decimal("80.00"), CLINIC, LIMA)
    assert event.receipt_number == "R-1"


def test_partial_redemptions_add_up_to_the_maximum_and_no_further() -> None:
    state = given(issued("100.00", partial=True), redeemed("60.00"))
    assert redeem.decide(redeem_cmd("40.00"), state)
    then_refused(when(redeem.decide, redeem_cmd("40.01"), state), "exceeds_maximum")
    full = given(issued("100.00", partial=True), redeemed("60.00"), redeemed("40.00"))
    then_refused(when(redeem.decide, redeem_cmd("0.01"), full), "fully_redeemed")


def test_any_provider_of_the_region_may_redeem_a_regional_voucher() -> None:
    state = given(issued(provider=None))
    assert redeem.decide(redeem_cmd("10.00", provider=OTHER_CLINIC), state)
    wrong = redeem_cmd("10.00", provider=OTHER_CLINIC, region=Region.TUMBES)
    then_refused(when(redeem.decide, wrong, state), "wrong_region")


@pytest.mark.parametrize(
    ("history", "command", "rule", "status"),
    [
        ((), redeem_cmd("10.00"), "voucher_not_found", 404),
        ((issued(approval=True),), redeem_cmd("10.00"), "awaiting_approval", 409),
        ((issued(), VoucherCancelled(voucher_id=VOUCHER, participant_id=PARTICIPANT,
          reason=VoucherCancellationReason.NO_LONGER_NEEDED, cancelled_by=STAFF,
          cancelled_at=NOW)), redeem_cmd("10.00"), "cancelled", 409),
        ((issued(),), redeem_cmd("10.00", now=NOW + timedelta(days=31)), "expired", 409),
        ((issued(),), redeem_cmd("10.00", provider=OTHER_CLINIC), "wrong_provider", 403),
        ((issued(), redeemed("10.00")), redeem_cmd("10.00"), "already_redeemed", 409),
        ((issued("50.00"),), redeem_cmd("50.01"), "exceeds_maximum", 422),
        ((issued(),), redeem_cmd("10.00", services=frozenset({EXAMS})),
         "services_not_covered", 422),
        ((issued(),), redeem_cmd("0.00"), "amount_not_positive", 422),
    ],
)  # fmt: skip
def test_redeem_refusals(
    history: tuple[Event, ...], command: RedeemVoucher, rule: str, status: int
) -> None:
    found = then_refused(when(redeem.decide, command, given(*history)), rule)
    assert (found.rule, REFUSAL_STATUS[found.kind]) == (rule, status)


def test_after_approval_an_above_cap_voucher_can_be_redeemed() -> None:
    state = given(issued("900.00", approval=True))
    [approved] = approve.decide(ApproveVoucher(STAFF, NOW), state)
    assert redeem.decide(redeem_cmd("900.00"), given(issued("900.00", approval=True), approved))
    then_refused(
        when(approve.decide, ApproveVoucher(STAFF, NOW), given(issued())), "not_awaiting_approval"
    )
