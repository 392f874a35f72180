"""Voucher rules as given events / when command / then events or refusal (pure, no I/O)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from contracts.event import Event
from contracts.vocabulary import Region, Urgency, VoucherService
from contracts.vouchers import (
    ReversalReason,
    VoucherApproved,
    VoucherCancellationReason,
    VoucherCancelled,
    VoucherExpired,
    VoucherIssued,
    VoucherRedeemed,
    VoucherReversed,
)
from eventkit.decider import Refused, fold
from eventkit.http import REFUSAL_STATUS
from services.vouchers import lifecycle
from services.vouchers.issue import IssueVoucher, issue
from services.vouchers.redeem import RedeemVoucher, redeem
from services.vouchers.voucher import Status, Voucher, evolve

NOW = datetime(2023, 3, 1, 15, 0, tzinfo=UTC)
VOUCHER, PARTICIPANT, CASE = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
CLINIC, OTHER_CLINIC, STAFF = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
CONSULTATION, MEDICINES, EXAMS = (
    VoucherService.CONSULTATION,
    VoucherService.MEDICINES,
    VoucherService.EXAMS,
)
LIMA = Region.LIMA_CALLAO
CAP = Decimal("300.00")


def issued(amount: str = "200.00", *, provider: uuid.UUID | None = CLINIC, partial: bool = False,
           approval: bool = False) -> VoucherIssued:  # fmt: skip
    return VoucherIssued(
        voucher_id=VOUCHER, case_id=CASE, participant_id=PARTICIPANT, provider_id=provider,
        services=(CONSULTATION, MEDICINES), amount=Decimal(amount), requires_approval=approval,
        allows_partial=partial, region=LIMA, issued_by=STAFF, issued_at=NOW - timedelta(days=1),
        valid_until=NOW + timedelta(days=30),
    )  # fmt: skip


def redeemed(amount: str, redemption: uuid.UUID | None = None) -> VoucherRedeemed:
    return VoucherRedeemed(
        voucher_id=VOUCHER, redemption_id=redemption or uuid.uuid4(), participant_id=PARTICIPANT,
        provider_id=CLINIC, amount=Decimal(amount), services=(CONSULTATION,),
        receipt_number="B001-1", region=LIMA, redeemed_at=NOW,
    )  # fmt: skip


def given(*events: Event) -> Voucher:
    return fold(evolve, Voucher(), events)


def redeem_cmd(amount: str, *, provider: uuid.UUID = CLINIC, region: Region = LIMA,
               services: frozenset[VoucherService] = frozenset({CONSULTATION}),
               now: datetime = NOW) -> RedeemVoucher:  # fmt: skip
    return RedeemVoucher(
        VOUCHER, uuid.uuid4(), provider, region, Decimal(amount), services, "R-1", now
    )


def issue_cmd(amount: str, valid_until: datetime = NOW + timedelta(days=10)) -> IssueVoucher:
    return IssueVoucher(
        VOUCHER, CASE, PARTICIPANT, CLINIC, LIMA, frozenset({CONSULTATION}), Decimal(amount),
        False, Urgency.ROUTINE, False, valid_until, STAFF, NOW, CAP,
    )  # fmt: skip


def refusal(call: object) -> Refused:
    with pytest.raises(Refused) as caught:
        call()  # type: ignore[operator]
    return caught.value


# Issue


def test_within_the_cap_a_voucher_is_active_at_once() -> None:
    [event] = issue(issue_cmd("300.00"), given())
    assert not event.requires_approval
    assert given(event).status is Status.ACTIVE


def test_above_the_cap_a_voucher_awaits_approval() -> None:
    [event] = issue(issue_cmd("300.01"), given())
    assert event.requires_approval
    assert given(event).status is Status.AWAITING_APPROVAL


@pytest.mark.parametrize(
    ("command", "history", "rule"),
    [
        (issue_cmd("10.00"), (issued(),), "already_issued"),
        (issue_cmd("10.00", valid_until=NOW - timedelta(seconds=1)), (), "valid_until_in_past"),
    ],
)
def test_issue_refusals(command: IssueVoucher, history: tuple[Event, ...], rule: str) -> None:
    assert refusal(lambda: issue(command, given(*history))).rule == rule


# Redeem


def test_a_redemption_records_amount_services_receipt_and_region() -> None:
    [event] = redeem(redeem_cmd("80.00"), given(issued()))
    assert (event.amount, event.provider_id, event.region) == (Decimal("80.00"), CLINIC, LIMA)
    assert event.receipt_number == "R-1"


def test_partial_redemptions_add_up_to_the_maximum_and_no_further() -> None:
    state = given(issued("100.00", partial=True), redeemed("60.00"))
    assert redeem(redeem_cmd("40.00"), state)
    assert refusal(lambda: redeem(redeem_cmd("40.01"), state)).rule == "exceeds_maximum"
    full = given(issued("100.00", partial=True), redeemed("60.00"), redeemed("40.00"))
    assert refusal(lambda: redeem(redeem_cmd("0.01"), full)).rule == "fully_redeemed"


def test_any_provider_of_the_region_may_redeem_a_regional_voucher() -> None:
    state = given(issued(provider=None))
    assert redeem(redeem_cmd("10.00", provider=OTHER_CLINIC), state)
    wrong = redeem_cmd("10.00", provider=OTHER_CLINIC, region=Region.TUMBES)
    assert refusal(lambda: redeem(wrong, state)).rule == "wrong_region"


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
    found = refusal(lambda: redeem(command, given(*history)))
    assert (found.rule, REFUSAL_STATUS[found.kind]) == (rule, status)


def test_after_approval_an_above_cap_voucher_can_be_redeemed() -> None:
    state = given(issued("900.00", approval=True))
    [approved] = lifecycle.approve(state, STAFF, NOW)
    assert redeem(redeem_cmd("900.00"), given(issued("900.00", approval=True), approved))
    assert (
        refusal(lambda: lifecycle.approve(given(issued()), STAFF, NOW)).rule
        == "not_awaiting_approval"
    )


# Cancel, expire, reverse


def test_a_voucher_with_redemptions_cannot_be_cancelled_until_they_are_reversed() -> None:
    rid = uuid.uuid4()
    state = given(issued(), redeemed("10.00", rid))
    reason = VoucherCancellationReason.ISSUED_IN_ERROR
    assert refusal(lambda: lifecycle.cancel(state, reason, STAFF, NOW)).rule == "has_redemptions"
    reversal = lifecycle.ReverseRedemption(rid, CLINIC, ReversalReason.BILLING_ERROR, STAFF, NOW)
    [reversed_] = lifecycle.reverse(reversal, state)
    assert isinstance(reversed_, VoucherReversed)
    assert reversed_.amount == Decimal("10.00")
    assert lifecycle.cancel(given(issued(), redeemed("10.00", rid), reversed_), reason, STAFF, NOW)
    again = given(issued(), redeemed("10.00", rid), reversed_)
    assert refusal(lambda: lifecycle.reverse(reversal, again)).rule == "already_reversed"


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
