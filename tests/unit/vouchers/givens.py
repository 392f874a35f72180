"""Given-events for the voucher deciders: ids, times, events and commands ready-made."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from contracts.vocabulary import Urgency
from contracts.vouchers import VoucherIssued, VoucherRedeemed
from services.vouchers.issue import IssueVoucher
from services.vouchers.redeem import RedeemVoucher
from services.vouchers.voucher import Voucher, evolve
from tests.support.deciders import Given
from tests.support.peru import Region, VoucherService

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

given = Given(evolve, Voucher())


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
