"""Issue a voucher: a caseworker grants a participant care up to an amount, until a date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from contracts.vocabulary import Region, Urgency, VoucherService
from contracts.vouchers import VoucherIssued
from eventkit.admin2 import check_admin2
from eventkit.decider import RefusalKind, Refused
from eventkit.field_time import PROGRAM_RULES, FieldTimeRules, across_clocks, happened
from program.known import program_currency
from services.vouchers.voucher import Status, Voucher


@dataclass(frozen=True)
class IssueVoucher:
    voucher_id: UUID
    case_id: UUID
    participant_id: UUID
    provider_id: UUID | None
    region: Region
    services: frozenset[VoucherService]
    amount: Decimal
    allows_partial: bool
    urgency: Urgency
    emblematic: bool
    valid_until: datetime
    issued_by: UUID
    now: datetime
    standard_cap: Decimal
    occurred_at: datetime | None = None  # when it was issued in the field; None: now
    rules: FieldTimeRules = PROGRAM_RULES
    opened_at: datetime | None = None  # the case's opening (None: not known to the copy)
    admin2: str | None = None  # the province inside `region` where it was issued, when known


def decide(command: IssueVoucher, state: Voucher) -> list[VoucherIssued]:
    """Above the program's standard cap a voucher waits for a supervisor's approval."""
    if state.status is not Status.NOT_ISSUED:
        raise Refused(
            "already_issued", f"voucher {command.voucher_id} already exists", RefusalKind.CONFLICT
        )
    if command.amount <= 0:
        raise Refused(
            "amount_not_positive",
            f"amount must be greater than 0.00 {program_currency()}",
            RefusalKind.INVALID,
        )
    check_admin2(command.admin2, command.region)
    at = command.occurred_at or command.now  # the opening is the cases service's clock
    opening = across_clocks(at, [("opening", command.opened_at)], command.rules)
    issued_at = happened("issued", command.occurred_at, command.now, command.rules, opening)
    if command.valid_until <= issued_at:
        raise Refused(
            "valid_until_in_past",
            "valid_until must be after the voucher was issued",
            RefusalKind.INVALID,
        )
    return [
        VoucherIssued(
            voucher_id=command.voucher_id,
            case_id=command.case_id,
            participant_id=command.participant_id,
            provider_id=command.provider_id,
            services=tuple(sorted(command.services)),
            amount=command.amount,
            urgency=command.urgency,
            emblematic=command.emblematic,
            requires_approval=command.amount > command.standard_cap,
            allows_partial=command.allows_partial,
            region=command.region,
            admin2=command.admin2,
            issued_by=command.issued_by,
            issued_at=issued_at,
            valid_until=command.valid_until,
        )
    ]
