"""The request and response bodies of the vouchers API (validated; an example for each)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from contracts.scalars import NOT_BLANK, Money, PlausibleDate, PlausibleDateTime, ReceiptNumber
from contracts.vocabulary import Urgency
from contracts.vouchers import ReversalReason, VoucherCancellationReason
from eventkit.field_time import OCCURRED_AT
from program.known import KnownAdmin2, KnownTerritory, KnownVoucherCoverage, example

Services = Annotated[list[KnownVoucherCoverage], Field(min_length=1, max_length=3)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IssueRequest(_Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "case_id": "3f1c2a7e-2d4b-4c55-9a53-0b7a1d1e9f10",
                    "participant_id": "9b2e6f0c-8d1a-4f3e-b7c2-5a6d4e3f2a1b",
                    "provider_id": "c0a80101-0000-4000-8000-000000000001",
                    "region": example("territory"),
                    "services": [example("voucher_coverage"), example("voucher_coverage", 2)],
                    "amount": "150.00",
                    "valid_until": "2023-03-31T23:59:59Z",
                }
            ]
        }
    )

    case_id: UUID
    participant_id: UUID
    provider_id: UUID | None = Field(None, description="None: any partner provider of the region")
    region: KnownTerritory
    admin2: KnownAdmin2 | None = Field(
        None, description="The province (admin2) inside `region` where it is issued, when known."
    )
    services: Services
    amount: Money = Field(gt=0)
    allows_partial: StrictBool = False
    urgency: Urgency = Urgency.ROUTINE
    emblematic: StrictBool = False
    valid_until: PlausibleDateTime
    occurred_at: PlausibleDateTime | None = Field(None, description=OCCURRED_AT)


class RedeemRequest(_Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "7K2M-9QXA-4TR",
                    "amount": "80.00",
                    "services": [example("voucher_coverage")],
                    "receipt_number": "B001-000123",
                }
            ]
        }
    )

    code: str = Field(min_length=11, max_length=40, description="As typed, or the QR payload")
    amount: Money = Field(gt=0)
    services: Services
    receipt_number: ReceiptNumber
    occurred_at: PlausibleDateTime | None = Field(
        None, description="When the clinic served (expiry is judged then). " + OCCURRED_AT
    )


class RecordedRedemption(RedeemRequest):
    """A clinic's claim that a supervisor records for it: care given longer ago than the
    clinic may claim (the claim window), from the program's files or a paper claim."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "7K2M-9QXA-4TR",
                    "amount": "80.00",
                    "services": [example("voucher_coverage")],
                    "receipt_number": "B001-000123",
                    "provider_id": "c0a80101-0000-4000-8000-000000000001",
                    "occurred_at": "2022-06-01T15:30:00Z",
                }
            ]
        }
    )
    provider_id: UUID = Field(description="The clinic that gave the care")
    occurred_at: PlausibleDateTime = Field(
        description="When the clinic served (expiry is judged then). " + OCCURRED_AT
    )


class LookupRequest(_Body):
    """A code in the body: in a URL it would sit in traces, access logs and proxies' logs."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"code": "7K2M-9QXA-4TR"}]})

    code: str = Field(min_length=1, max_length=40, description="As typed, or the QR payload")
    occurred_at: PlausibleDateTime | None = Field(
        None,
        description="When the care was given (None: now): the voucher is judged then, as a "
        "redemption is (expiry at the time of service, within the claim window).",
    )


class CancelRequest(_Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "no_longer_needed"}]})

    reason: VoucherCancellationReason
    occurred_at: PlausibleDateTime | None = Field(None, description=OCCURRED_AT)


class ReverseRequest(_Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "billing_error"}]})

    reason: ReversalReason
    occurred_at: PlausibleDateTime | None = Field(None, description=OCCURRED_AT)


class ApproveRequest(_Body):
    """Optional: approving now needs no body."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"occurred_at": "2022-06-01T15:30:00Z"}]}
    )

    occurred_at: PlausibleDateTime | None = Field(None, description=OCCURRED_AT)


class ProviderRequest(_Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Policlínico Ejemplo",
                    "region": example("territory", 3),
                    "kind": "polyclinic",
                    "services": [example("voucher_coverage"), example("voucher_coverage", 1)],
                }
            ]
        }
    )

    name: Annotated[str, NOT_BLANK] = Field(min_length=2, max_length=120)
    region: KnownTerritory
    kind: str = Field(pattern="^(clinic|polyclinic|pharmacy|laboratory)$")
    services: Services
    active: StrictBool = True


class ProviderChange(_Body):
    """What an administrator may change of a directory entry (its region stays: vouchers were
    issued against it)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Policlínico Ejemplo Norte",
                    "services": [example("voucher_coverage", 0), example("voucher_coverage", 1)],
                }
            ]
        }
    )

    name: Annotated[str, NOT_BLANK] | None = Field(None, min_length=2, max_length=120)
    kind: str | None = Field(None, pattern="^(clinic|polyclinic|pharmacy|laboratory)$")
    services: Services | None = None
    active: StrictBool | None = None


class BudgetRequest(_Body):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"period_end": "2023-08-31", "amount": "50000.00"}]}
    )

    period_end: PlausibleDate
    amount: Money


class ClinicView(BaseModel):
    """All a clinic sees: enough to serve the bearer, nothing about who they are."""

    voucher_id: UUID
    code: str
    status: str
    services: list[str]
    maximum: Decimal = Field(description="The voucher's amount, in `currency`.")
    remaining: Decimal = Field(description="What is left to redeem, in `currency`.")
    currency: str = Field(description="The program's currency (ISO 4217): every amount's.")
    maximum_pen: Decimal = Field(
        description="Deprecated (the same as `maximum`, whatever the currency): use `maximum`.",
        json_schema_extra={"deprecated": True},
    )
    remaining_pen: Decimal = Field(
        description="Deprecated (the same as `remaining`, whatever the currency): use `remaining`.",
        json_schema_extra={"deprecated": True},
    )
    valid_until: datetime
    single_use: bool
    redeemable: bool
    refusal: str | None = None
