"""The vouchers service layer: each command loads, decides and appends, keeps the views and the
audit log, in the caller's transaction, and returns what happened (never an HTTP answer).

It reaches beyond the voucher's stream only through `ports.Ports`, so unit tests run it on a
`MemoryEventStore` and fakes. Refusals are `Refused` with a kind; the routes shape the answer.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Any

from access.actors import actor_id
from access.audit import append as audit_append
from access.audit_chain import AuditRecord
from access.late_entry import late_entry_note
from access.principal import Principal
from contracts.event import Event
from contracts.vocabulary import Region
from contracts.vouchers import ReversalReason, VoucherCancellationReason, VoucherIssued
from eventkit.aggregate import execute, load_stream
from eventkit.decider import RefusalKind, Refused, fold
from eventkit.field_time import FieldTimeRules, configured, late_entry
from eventkit.store import Connection
from program.load import current_program
from services.vouchers import approve as approve_
from services.vouchers import cancel as cancel_
from services.vouchers import expire as expire_
from services.vouchers import issue as issue_
from services.vouchers import redeem as redeem_
from services.vouchers import reverse as reverse_
from services.vouchers.ports import Ports, ReceiptRaced
from services.vouchers.requests import (
    BudgetRequest,
    ClinicView,
    IssueRequest,
    ProviderChange,
    ProviderRequest,
    RedeemRequest,
)
from services.vouchers.voucher import Voucher, evolve


@dataclass(frozen=True)
class Changed:
    """A voucher's stream after a command: its version and the last event's id."""

    voucher_id: uuid.UUID
    version: int
    position: str | None


@dataclass(frozen=True)
class Issued(Changed):
    code: str
    requires_approval: bool


@dataclass(frozen=True)
class Redeemed(Changed):
    redemption_id: uuid.UUID
    amount: Decimal
    remaining: Decimal
    receipt_number: str
    region: str


async def issue(
    ports: Ports, principal: Principal, body: IssueRequest, code: str, cap: Decimal,
    voucher_id: uuid.UUID, now: datetime, occurred_at: datetime | None = None,
    rules: FieldTimeRules | None = None,
) -> Issued:  # fmt: skip
    """Issue a voucher to a participant in the caller's reach, within the region's budget
    of the day it was issued (`occurred_at`, when it happened in the field; None: now)."""
    rules = rules or configured()
    late = late_entry_note(principal, occurred_at, now, rules)
    person = await ports.reach.participant(principal, "voucher.issue", body.participant_id)
    opened_at = await ports.reach.case(principal, "voucher.issue", body.case_id, person)
    await ports.budget.reserve(body.region, (occurred_at or now).date(), body.amount)
    command = issue_.IssueVoucher(
        voucher_id, body.case_id, person.participant_id, body.provider_id, body.region,
        frozenset(body.services), body.amount, body.allows_partial, body.urgency,
        body.emblematic, body.valid_until, actor_id(principal), now, cap, occurred_at, rules,
        opened_at, body.admin2,
    )  # fmt: skip
    decided = await execute(
        ports.store, str(voucher_id), evolve, Voucher(),
        lambda s: issue_.decide(command, s), now=now,
    )  # fmt: skip
    await ports.views.record(decided.events, decided.appended.version, code)
    await _audit(ports, principal, "voucher.issue", voucher_id, late)
    [event] = decided.events
    assert isinstance(event, VoucherIssued)
    return Issued(
        voucher_id, decided.appended.version, decided.position, code, event.requires_approval
    )


async def approve(
    ports: Ports, principal: Principal, voucher_id: uuid.UUID, now: datetime,
    expected: int | None = None, occurred_at: datetime | None = None,
    rules: FieldTimeRules | None = None,
) -> Changed:  # fmt: skip
    rules = rules or configured()
    late = late_entry_note(principal, occurred_at, now, rules)
    command = approve_.ApproveVoucher(actor_id(principal), now, occurred_at, rules)
    decide = partial(approve_.decide, command)
    return await _change(
        ports, principal, "voucher.approve", voucher_id, decide, expected, late, now
    )


async def cancel(
    ports: Ports, principal: Principal, voucher_id: uuid.UUID,
    reason: VoucherCancellationReason, now: datetime, expected: int | None = None,
    occurred_at: datetime | None = None, rules: FieldTimeRules | None = None,
) -> Changed:  # fmt: skip
    rules = rules or configured()
    late = late_entry_note(principal, occurred_at, now, rules)
    command = cancel_.CancelVoucher(reason, actor_id(principal), now, occurred_at, rules)
    decide = partial(cancel_.decide, command)
    return await _change(
        ports, principal, "voucher.cancel", voucher_id, decide, expected, late, now
    )


async def reverse(
    ports: Ports, principal: Principal, voucher_id: uuid.UUID, redemption_id: uuid.UUID,
    reason: ReversalReason, now: datetime, expected: int | None = None,
    occurred_at: datetime | None = None, rules: FieldTimeRules | None = None,
) -> Changed:  # fmt: skip
    rules = rules or configured()
    late = late_entry_note(principal, occurred_at, now, rules)
    provider = await ports.receipts.provider_of(voucher_id, redemption_id)
    if provider is None:
        raise Refused(
            "redemption_not_found", "no such redemption on this voucher", RefusalKind.NOT_FOUND
        )
    command = reverse_.ReverseRedemption(
        redemption_id, provider, reason, actor_id(principal), now, occurred_at, rules
    )
    decide = partial(reverse_.decide, command)
    return await _change(
        ports, principal, "voucher.reverse", voucher_id, decide, expected, late, now
    )


async def _change(
    ports: Ports, principal: Principal, action: str, voucher_id: uuid.UUID,
    decide: Callable[[Voucher], Sequence[Event]], expected: int | None, late: str | None,
    now: datetime,
) -> Changed:  # fmt: skip
    """A command on an issued voucher, at the version the client pinned (`If-Match`) if any."""
    decided = await execute(ports.store, str(voucher_id), evolve, Voucher(), decide, expected,
                            now=now)  # fmt: skip
    await ports.views.record(decided.events, decided.appended.version)
    await _audit(ports, principal, action, voucher_id, late)
    return Changed(voucher_id, decided.appended.version, decided.position)


async def expire(ports: Ports, voucher_id: uuid.UUID, now: datetime) -> int:
    """Expire the voucher if it is past its date (the worker's command); how many expired."""
    command = expire_.ExpireVoucher(now)
    decided = await execute(
        ports.store, str(voucher_id), evolve, Voucher(),
        lambda s: expire_.decide(command, s), now=now,
    )  # fmt: skip
    await ports.views.record(decided.events, decided.appended.version)
    return len(decided.events)


async def _audit(
    ports: Ports, principal: Principal, action: str, voucher_id: uuid.UUID, late: str | None = None
) -> None:
    """The record of a done act; a late entry's note (`eventkit.field_time`) as its purpose."""
    await ports.audit.append(
        AuditRecord.by(principal, action, ("voucher", str(voucher_id)), "done", late)
    )


def not_a_partner() -> Refused:
    """The refusal of a clinic whose provider is not an active partner in the directory."""
    return Refused(
        "provider_not_active",
        "your provider is not an active partner in the directory",
        RefusalKind.FORBIDDEN,
    )


def calling_provider(provider_id: str | None) -> uuid.UUID:
    """The calling clinic's provider id; a token naming no provider of the directory's form can
    name no partner either."""
    try:
        return uuid.UUID(str(provider_id))
    except ValueError:
        raise not_a_partner() from None


async def partner_region(ports: Ports, provider_id: uuid.UUID) -> Region:
    """The calling clinic's region, while its provider is an active partner."""
    region = await ports.directory.partner_region(provider_id)
    if region is None:
        raise not_a_partner()
    return Region(region)


async def redeem(
    ports: Ports, body: RedeemRequest, code: str, provider_id: uuid.UUID,
    redemption_id: uuid.UUID, now: datetime, occurred_at: datetime | None = None,
    rules: FieldTimeRules | None = None, recorded_by: Principal | None = None,
) -> Redeemed:  # fmt: skip
    """A clinic redeems the voucher its code names; the directory check is the first statement.

    `occurred_at` is when the clinic served (None: now): expiry is judged then. `recorded_by`, a
    supervisor recording it for the clinic (an import), may go past the claim window.
    """
    rules = rules or configured()
    beyond = recorded_by is not None and late_entry_note(recorded_by, occurred_at, now, rules)
    found = await ports.directory.redeeming(provider_id, code)
    if found is None:
        raise not_a_partner()
    if found.voucher_id is None:
        raise _no_such_code()
    voucher_id = found.voucher_id
    first = await ports.receipts.in_use(provider_id, body.receipt_number)
    if first is not None:
        raise _receipt_used(
            f"receipt {body.receipt_number!r} was already used for redemption {first[0]}"
            f" of voucher {first[1]}"
        )
    command = redeem_.RedeemVoucher(
        voucher_id, redemption_id, provider_id, Region(found.provider_region), body.amount,
        frozenset(body.services), body.receipt_number, now, occurred_at, rules, bool(beyond),
    )  # fmt: skip
    try:
        decided = await execute(
            ports.store, str(voucher_id), evolve, Voucher(),
            lambda s: redeem_.decide(command, s), loaded=found.history, now=now
        )  # fmt: skip
    except Refused as refusal:
        if refusal.rule in NOT_YOURS:  # answer as the lookup does: nothing about it
            raise _no_such_code() from None
        raise
    try:
        await ports.views.record(decided.events, decided.appended.version)
    except ReceiptRaced:  # the same receipt, redeemed at the same instant
        raise _receipt_used(
            f"receipt {body.receipt_number!r} was used for another redemption at the same moment"
        ) from None
    clinic = str(provider_id)
    late = late_entry(occurred_at, now, True, rules)  # within the claim window: the clinic's own
    resource = ("voucher", str(voucher_id))
    await ports.audit.append(
        AuditRecord(clinic, clinic, "clinic", "voucher.redeem", *resource, "done", late)
        if recorded_by is None
        else AuditRecord.by(recorded_by, "voucher.record_redemption", resource, "done", late)
    )
    return Redeemed(
        voucher_id, decided.appended.version, decided.position, redemption_id, body.amount,
        decided.state.remaining, body.receipt_number, found.provider_region,
    )  # fmt: skip


NOT_YOURS = ("wrong_provider", "wrong_region")
"""Refusals that would tell a clinic about a voucher it may not use (its provider, its region):
lookup and redeem both answer `voucher_not_found` instead, as for a code that does not exist."""


def _no_such_code() -> Refused:
    return Refused("voucher_not_found", "no voucher has this code", RefusalKind.NOT_FOUND)


def _receipt_used(message: str) -> Refused:
    return Refused("receipt_already_used", message, RefusalKind.CONFLICT)


async def clinic_view(
    ports: Ports, code: str, provider_id: uuid.UUID, region: Region, now: datetime,
    occurred_at: datetime | None = None, rules: FieldTimeRules | None = None,
) -> ClinicView:  # fmt: skip
    """What a clinic may see of a voucher; `voucher_not_found` when no voucher has this code
    or it is another provider's.

    Judged as a redemption is: at the time of service (`occurred_at`, None: now) and within the
    claim window. An expired voucher says until when care given before its expiry is claimable.
    """
    rules = rules or configured()
    voucher_id = await ports.directory.voucher_by_code(code)
    if voucher_id is None:
        raise _no_such_code()
    history, _ = await load_stream(ports.store, str(voucher_id))
    state = fold(evolve, Voucher(), history)
    served_at = occurred_at or now
    refusal = None
    try:
        redeem_.redeemable(state, provider_id, region, served_at)
        if now - served_at > rules.claim_window:
            refusal = (
                f"care given on {served_at:%Y-%m-%d} is claimed more than "
                f"{rules.claim_window.days} days later; a supervisor records it"
            )
    except Refused as refused:
        if refused.rule in NOT_YOURS:
            raise _no_such_code() from None
        refusal = refused.message
        if refused.rule == "expired" and state.valid_until is not None:
            claimable_until = state.valid_until + rules.claim_window
            if now <= claimable_until:
                refusal += (
                    f"; care given by then is still claimable until "
                    f"{claimable_until:%Y-%m-%d} (send the day of the care as occurred_at)"
                )
    assert state.valid_until is not None
    return ClinicView(
        voucher_id=voucher_id,
        code=code,
        status=state.status,
        services=sorted(state.services),
        maximum=state.amount,
        remaining=state.remaining,
        currency=current_program().currency,
        maximum_pen=state.amount,
        remaining_pen=state.remaining,
        valid_until=state.valid_until,
        single_use=not state.allows_partial,
        redeemable=refusal is None,
        refusal=refusal,
    )


async def audit_read(
    ports: Ports, principal: Principal, action: str, resource: tuple[str, str],
    outcome: str = "done", purpose: str | None = None,
) -> None:  # fmt: skip
    """A read of vouchers (who holds one, where it is spent) goes to the audit log."""
    await ports.audit.append(AuditRecord.by(principal, action, resource, outcome, purpose))


async def add_provider(
    conn: Connection, principal: Principal, body: ProviderRequest, provider_id: uuid.UUID
) -> None:
    """A partner provider joins the directory (no events: the directory is reference data)."""
    await conn.execute(
        "INSERT INTO providers VALUES ($1, $2, $3, $4, $5, $6)",
        provider_id, body.name, body.region, body.kind, list(body.services), body.active,
    )  # fmt: skip
    resource = ("provider", str(provider_id))
    await audit_append(
        conn, AuditRecord.by(principal, "directory.provider_added", resource, "done")
    )


async def change_provider(
    conn: Connection, principal: Principal, provider_id: uuid.UUID, body: ProviderChange
) -> dict[str, Any]:
    """Change a directory entry's name, kind, services or activity, audited; the entry after."""
    row = await conn.fetchrow(
        "UPDATE providers SET name = coalesce($2, name), kind = coalesce($3, kind),"
        " services = coalesce($4, services), active = coalesce($5, active)"
        " WHERE provider_id = $1"
        " RETURNING provider_id::text, name, region, kind, services, active",
        provider_id, body.name, body.kind,
        None if body.services is None else list(body.services), body.active,
    )  # fmt: skip
    if row is None:
        raise Refused("provider_not_found", "no such provider", RefusalKind.NOT_FOUND)
    resource = ("provider", str(provider_id))
    await audit_append(
        conn, AuditRecord.by(principal, "directory.provider_changed", resource, "done")
    )
    return dict(row)


async def set_budget(
    conn: Connection, principal: Principal, region: Region, start: date, body: BudgetRequest
) -> None:
    """A region's budget for the period from `start` (set again, it is replaced)."""
    await conn.execute(
        "INSERT INTO budgets VALUES ($1, $2, $3, $4) ON CONFLICT (region, period_start)"
        " DO UPDATE SET period_end = EXCLUDED.period_end, amount = EXCLUDED.amount",
        region, start, body.period_end, body.amount,
    )  # fmt: skip
    resource = ("budget", f"{region}/{start.isoformat()}")
    await audit_append(conn, AuditRecord.by(principal, "budget.set", resource, "done"))
