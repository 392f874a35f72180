"""The vouchers service layer: each command is one transaction of rules, events, views, audit."""

from __future__ import annotations

import uuid
from decimal import Decimal

import asyncpg
from fastapi import HTTPException

from access.actors import actor_id
from access.audit import append as audit
from access.audit_chain import AuditRecord
from access.principal import Principal
from contracts.vocabulary import Region
from contracts.vouchers import ReversalReason, VoucherCancellationReason
from eventkit.aggregate import Decided, execute, history_of, load_stream
from eventkit.clock import Now
from eventkit.decider import RefusalKind, Refused, fold
from eventkit.idempotency import Answer, Command
from eventkit.ids import new_id
from eventkit.store import Connection, event_columns, recorded
from roster.reach import case_in_reach, participant_in_reach
from services.vouchers import budget, lifecycle, views
from services.vouchers.code import qr_payload
from services.vouchers.issue import IssueVoucher
from services.vouchers.issue import issue as issue_rule
from services.vouchers.metrics import REDEEMED_PEN
from services.vouchers.redeem import RedeemVoucher, redeemable
from services.vouchers.redeem import redeem as redeem_rule
from services.vouchers.requests import ClinicView, IssueRequest, RedeemRequest
from services.vouchers.voucher import Voucher, evolve


async def _done(
    conn: Connection,
    principal: Principal,
    action: str,
    voucher_id: uuid.UUID,
    decided: Decided[Voucher],
) -> dict[str, object]:
    await views.record(conn, decided.events, decided.appended.version)
    await audit(conn, AuditRecord.by(principal, action, ("voucher", str(voucher_id)), "done"))
    return {
        "voucher_id": str(voucher_id),
        "version": decided.appended.version,
        "position": decided.position,
    }


def issue(
    body: IssueRequest, principal: Principal, code: str, cap: Decimal, *, clock: Now
) -> Command:
    async def run(conn: Connection) -> Answer:
        voucher_id, now = new_id(), clock()
        person = await participant_in_reach(conn, principal, "voucher.issue", body.participant_id)
        await case_in_reach(conn, principal, "voucher.issue", body.case_id, person)
        await budget.reserve(conn, body.region, now.date(), body.amount)
        rule = IssueVoucher(
            voucher_id, body.case_id, person.participant_id, body.provider_id, body.region,
            frozenset(body.services), body.amount, body.allows_partial, body.urgency,
            body.emblematic, body.valid_until, actor_id(principal), now, cap,
        )  # fmt: skip
        decided = await execute(
            conn, str(voucher_id), evolve, Voucher(), lambda s: issue_rule(rule, s)
        )
        await views.record(conn, decided.events, decided.appended.version, code)
        await audit(
            conn, AuditRecord.by(principal, "voucher.issue", ("voucher", str(voucher_id)), "done")
        )
        event = decided.events[0]
        assert hasattr(event, "requires_approval")
        return Answer(
            201,
            {
                "voucher_id": str(voucher_id),
                "code": code,
                "qr_payload": qr_payload(code),
                "requires_approval": event.requires_approval,
                "status": "awaiting_approval" if event.requires_approval else "active",
                "version": decided.appended.version,
                "position": decided.position,
            },
        )

    return run


def approve(voucher_id: uuid.UUID, principal: Principal, *, clock: Now) -> Command:
    async def run(conn: Connection) -> Answer:
        now = clock()
        decided = await execute(
            conn, str(voucher_id), evolve, Voucher(),
            lambda s: lifecycle.approve(s, actor_id(principal), now),
        )  # fmt: skip
        return Answer(200, await _done(conn, principal, "voucher.approve", voucher_id, decided))

    return run


def cancel(
    voucher_id: uuid.UUID, reason: VoucherCancellationReason, principal: Principal, *, clock: Now
) -> Command:
    async def run(conn: Connection) -> Answer:
        now = clock()
        decided = await execute(
            conn, str(voucher_id), evolve, Voucher(),
            lambda s: lifecycle.cancel(s, reason, actor_id(principal), now),
        )  # fmt: skip
        return Answer(200, await _done(conn, principal, "voucher.cancel", voucher_id, decided))

    return run


def reverse(
    voucher_id: uuid.UUID,
    redemption_id: uuid.UUID,
    reason: ReversalReason,
    principal: Principal,
    *,
    clock: Now,
) -> Command:
    async def run(conn: Connection) -> Answer:
        provider = await conn.fetchval(
            "SELECT provider_id FROM redemptions WHERE redemption_id = $1 AND voucher_id = $2",
            redemption_id,
            voucher_id,
        )
        if provider is None:
            raise Refused(
                "redemption_not_found", "no such redemption on this voucher", RefusalKind.NOT_FOUND
            )
        command = lifecycle.ReverseRedemption(
            redemption_id, provider, reason, actor_id(principal), clock()
        )
        decided = await execute(
            conn, str(voucher_id), evolve, Voucher(), lambda s: lifecycle.reverse(command, s)
        )
        return Answer(200, await _done(conn, principal, "voucher.reverse", voucher_id, decided))

    return run


# The calling clinic's directory row, the voucher its code names and the voucher's events, in
# one round trip; no row when the clinic is not an active partner.
_REDEEMING = f"""
SELECT p.region AS provider_region, v.voucher_id AS found_voucher_id, {event_columns("e")}
FROM providers p
LEFT JOIN vouchers v ON v.code = $2
LEFT JOIN events e ON e.stream_id = v.voucher_id::text
WHERE p.provider_id = $1 AND p.active
ORDER BY e.stream_version
"""  # noqa: S608 (built from constant column names only)


def not_a_partner() -> Refused:
    """The refusal of a clinic whose provider is not an active partner in the directory."""
    return Refused(
        "provider_not_active",
        "your provider is not an active partner in the directory",
        RefusalKind.FORBIDDEN,
    )


def redeem(body: RedeemRequest, code: str, provider_id: uuid.UUID, *, clock: Now) -> Command:
    async def run(conn: Connection) -> Answer:
        found = await conn.fetch(_REDEEMING, provider_id, code)
        if not found:
            raise not_a_partner()
        region, voucher_id = found[0]["provider_region"], found[0]["found_voucher_id"]
        if voucher_id is None:
            raise _no_such_code()
        await _receipt_unused(conn, provider_id, body.receipt_number)
        rule = RedeemVoucher(
            voucher_id, new_id(), provider_id, Region(region), body.amount,
            frozenset(body.services), body.receipt_number, clock(),
        )  # fmt: skip
        try:
            decided = await execute(
                conn, str(voucher_id), evolve, Voucher(), lambda s: redeem_rule(rule, s),
                loaded=history_of(recorded(found)),
            )  # fmt: skip
        except Refused as refusal:
            if refusal.rule in NOT_YOURS:  # answer as the lookup does: nothing about it
                raise _no_such_code() from None
            raise
        try:
            await views.record(conn, decided.events, decided.appended.version)
        except asyncpg.UniqueViolationError:  # the same receipt, redeemed at the same instant
            raise _receipt_used(
                f"receipt {body.receipt_number!r} was used for another redemption at the same"
                " moment"
            ) from None
        remaining = decided.state.remaining
        await audit(
            conn,
            AuditRecord(
                str(provider_id),
                str(provider_id),
                "clinic",
                "voucher.redeem",
                "voucher",
                str(voucher_id),
                "done",
            ),
        )
        return Answer(
            201,
            {
                "voucher_id": str(voucher_id),
                "redemption_id": str(rule.redemption_id),
                "amount": f"{body.amount:.2f}",
                "remaining_pen": f"{remaining:.2f}",
                "receipt_number": body.receipt_number,
                "position": decided.position,
            },
            after_commit=lambda: REDEEMED_PEN.labels(region).inc(float(body.amount)),
        )

    return run


NOT_YOURS = ("wrong_provider", "wrong_region")
"""Refusals that would tell a clinic about a voucher it may not use (its provider, its region):
lookup and redeem both answer `voucher_not_found` instead, as for a code that does not exist."""


def _no_such_code() -> Refused:
    return Refused("voucher_not_found", "no voucher has this code", RefusalKind.NOT_FOUND)


async def _receipt_unused(conn: Connection, provider_id: uuid.UUID, receipt: str) -> None:
    """Refuse a receipt number this provider already gave for a redemption not reversed: a
    second claim for one act of care (the first one is named, to look it up)."""
    first = await conn.fetchrow(
        "SELECT redemption_id, voucher_id FROM redemptions"
        " WHERE provider_id = $1 AND receipt_number = $2 AND reversed_at IS NULL",
        provider_id,
        receipt,
    )
    if first is not None:
        raise _receipt_used(
            f"receipt {receipt!r} was already used for redemption {first['redemption_id']}"
            f" of voucher {first['voucher_id']}"
        )


def _receipt_used(message: str) -> Refused:
    return Refused("receipt_already_used", message, RefusalKind.CONFLICT)


async def clinic_view(
    pool: asyncpg.Pool, code: str, provider_id: str, region: str, *, clock: Now
) -> ClinicView:
    """What a clinic may see of a voucher; 404 when no voucher has this code."""
    async with pool.acquire() as conn:
        voucher_id = await conn.fetchval("SELECT voucher_id FROM vouchers WHERE code = $1", code)
        if voucher_id is None:
            raise HTTPException(
                404, {"rule": "voucher_not_found", "message": "no voucher has this code"}
            )
        history, _ = await load_stream(conn, str(voucher_id))
    state = fold(evolve, Voucher(), history)
    refusal = None
    try:
        redeemable(state, uuid.UUID(provider_id), Region(region), clock())
    except Refused as refused:
        if refused.rule in NOT_YOURS:
            # Another provider's voucher: say nothing about it.
            raise HTTPException(
                404, {"rule": "voucher_not_found", "message": "no voucher has this code"}
            ) from None
        refusal = refused.message
    assert state.valid_until is not None
    return ClinicView(
        voucher_id=voucher_id,
        code=code,
        status=state.status,
        services=sorted(state.services),
        maximum_pen=state.amount,
        remaining_pen=state.remaining,
        valid_until=state.valid_until,
        single_use=not state.allows_partial,
        redeemable=refusal is None,
        refusal=refusal,
    )
