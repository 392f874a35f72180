"""Supervisor: the region's vouchers awaiting approval (above the standard cap), each approved
or refused (cancelled with a reason) from the list; `If-Match` on the version the list showed,
so a voucher another supervisor handled meanwhile is not decided twice."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse, Response

from web.context import SignedIn
from web.pages.caseworker import command
from web.vocabulary import CANCELLATION_REASONS

router = APIRouter(prefix="/aprobaciones")
Text = Annotated[str, Form()]


@router.get("")
async def awaiting(signed: SignedIn) -> Response:
    """Every region of the supervisor (the vouchers API decides which the token holds)."""
    found = await signed.services.call(signed.token, "vouchers", "GET", "/approvals")
    return signed.render("approvals.html", vouchers=found["vouchers"], reasons=CANCELLATION_REASONS)


@router.post("/{voucher_id}/aprobar")
async def approve(
    signed: SignedIn, voucher_id: uuid.UUID, csrf: Text, key: Text, version: Text
) -> Response:
    signed.check_csrf(csrf)
    path = f"/vouchers/{voucher_id}/approve"
    made = await command(signed, "vouchers", path, {}, key, back="/aprobaciones", version=version)
    if isinstance(made, Response):
        return made
    return RedirectResponse("/aprobaciones?hecho=aprobado", status_code=303)


@router.post("/{voucher_id}/rechazar")
async def refuse(
    signed: SignedIn, voucher_id: uuid.UUID, csrf: Text, key: Text, version: Text, reason: Text
) -> Response:
    """Refusing an above-cap voucher cancels it (nothing was redeemed: it was never active)."""
    signed.check_csrf(csrf)
    path, body = f"/vouchers/{voucher_id}/cancel", {"reason": reason}
    made = await command(signed, "vouchers", path, body, key, back="/aprobaciones", version=version)
    if isinstance(made, Response):
        return made
    return RedirectResponse("/aprobaciones?hecho=rechazado", status_code=303)
