"""Keep the `vouchers` and `redemptions` tables in step with the events, in the same transaction."""

from __future__ import annotations

from collections.abc import Sequence

from contracts.event import Event
from contracts.vouchers import (
    VoucherApproved,
    VoucherCancelled,
    VoucherExpired,
    VoucherIssued,
    VoucherRedeemed,
    VoucherReversed,
)
from eventkit.store import Connection
from services.vouchers.voucher import Status


async def record(conn: Connection, events: Sequence[Event], version: int, code: str = "") -> None:
    """Apply `events` (just appended, stream now at `version`) to the read tables."""
    for event in events:
        match event:
            case VoucherIssued():
                status = Status.AWAITING_APPROVAL if event.requires_approval else Status.ACTIVE
                await conn.execute(
                    "INSERT INTO vouchers (voucher_id, code, participant_id, case_id, provider_id,"
                    " region, services, amount, allows_partial, status, issued_at, valid_until,"
                    " version) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)",
                    event.voucher_id, code, event.participant_id, event.case_id,
                    event.provider_id, event.region, list(event.services), event.amount,
                    event.allows_partial, status, event.issued_at, event.valid_until, version,
                )  # fmt: skip
            case VoucherApproved():
                await _status(conn, event.voucher_id, Status.ACTIVE, version)
            case VoucherCancelled():
                await _status(conn, event.voucher_id, Status.CANCELLED, version)
            case VoucherExpired():
                await _status(conn, event.voucher_id, Status.EXPIRED, version)
            case VoucherRedeemed():
                await conn.execute(
                    "WITH redemption AS (INSERT INTO redemptions (redemption_id, voucher_id,"
                    " provider_id, participant_id, amount, services, receipt_number, region,"
                    " redeemed_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9))"
                    " UPDATE vouchers SET redeemed = redeemed + $5, version = $10,"
                    # `redeemed` once nothing is left, as `voucher._redeemed_or` decides.
                    " status = CASE WHEN NOT allows_partial OR redeemed + $5 >= amount"
                    " THEN 'redeemed' ELSE status END"
                    " WHERE voucher_id = $2",
                    event.redemption_id, event.voucher_id, event.provider_id,
                    event.participant_id, event.amount, list(event.services),
                    event.receipt_number, event.region, event.redeemed_at, version,
                )  # fmt: skip
            case VoucherReversed():
                await conn.execute(
                    "UPDATE redemptions SET reversed_at = $2 WHERE redemption_id = $1",
                    event.redemption_id, event.reversed_at,
                )  # fmt: skip
                await conn.execute(
                    "UPDATE vouchers SET redeemed = redeemed - $2, version = $3,"
                    # A reversal always leaves something to redeem again.
                    " status = CASE WHEN status = 'redeemed' THEN 'active' ELSE status END"
                    " WHERE voucher_id = $1",
                    event.voucher_id, event.amount, version,
                )  # fmt: skip


async def _status(conn: Connection, voucher_id: object, status: Status, version: int) -> None:
    await conn.execute(
        "UPDATE vouchers SET status = $2, version = $3 WHERE voucher_id = $1",
        voucher_id,
        status,
        version,
    )
