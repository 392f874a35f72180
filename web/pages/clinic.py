"""Clinic, polyclinic or pharmacy: look a voucher up by its code, redeem it, see the redemptions.

A redemption carries an Idempotency-Key made when the form is drawn; the page's script keeps
the pending redemption with that key in the browser's storage until the service answers, so a
dropped connection or a reload never loses it, and sending it again never doubles it (the
service answers a repeated key with the first answer).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Header, Request
from fastapi.responses import JSONResponse, Response

from web.context import Signed, SignedIn
from web.i18n import format_money
from web.services import ServiceRefusal, refusal
from web.vocabulary import VOUCHER_SERVICES

router = APIRouter(prefix="/clinica")


@router.get("")
async def clinic(signed: SignedIn) -> Response:
    return signed.render("clinic.html", voucher=None)


@router.post("/vale")
async def look_up(
    signed: SignedIn, code: Annotated[str, Form()], csrf: Annotated[str, Form()]
) -> Response:
    signed.check_csrf(csrf)
    try:
        voucher = await signed.services.call(
            signed.token, "vouchers", "POST", "/lookup", json={"code": code.strip()}
        )
    except ServiceRefusal as refused:
        return signed.render(
            "clinic.html",
            voucher=None,
            refusal=refused,
            code=code,
            status_code=refused.status if refused.status < 500 else 502,
        )
    return signed.render(
        "clinic.html", voucher=voucher, key=str(uuid.uuid4()), services=VOUCHER_SERVICES
    )


@router.post("/canje")
async def redeem(
    request: Request,
    signed: SignedIn,
    idempotency_key: Annotated[str, Header()],
    x_csrf_token: Annotated[str, Header()] = "",
) -> Response:
    """JSON in, JSON out (the page's script); the service's answer or refusal, as it came."""
    signed.check_csrf(x_csrf_token)
    body: dict[str, Any] = await request.json()
    redemption = {
        "code": str(body.get("code", "")).strip(),
        "amount": str(body.get("amount", "")).strip().replace(",", "."),
        "receipt_number": str(body.get("receipt_number", "")).strip(),
        "services": [s for s in body.get("services", []) if isinstance(s, str)],
    }
    answer = await signed.services.raw(
        signed.token,
        "vouchers",
        "POST",
        "/redemptions",
        json=redemption,
        headers={"Idempotency-Key": idempotency_key},
    )
    if answer.status_code < 300:
        redeemed = answer.json()
        return JSONResponse(
            {
                "state": "redeemed",
                **redeemed,
                "amount_text": _money(signed, redeemed["amount"]),
                "remaining_text": _money(signed, redeemed["remaining"]),
            },
            status_code=answer.status_code,
        )
    refused = refusal(answer)
    return JSONResponse(
        {"state": "refused", "rule": refused.rule, "message": refused.message},
        status_code=answer.status_code,
    )


def _money(signed: Signed, amount: str) -> str:
    return format_money(amount, signed.language)


@router.get("/canjes")
async def redemptions(signed: SignedIn) -> Response:
    """This month's redemptions of the clinic: what the program will pay it."""
    principal = signed.principal
    provider = principal.provider_id if principal else None
    today = date.today()
    start = today.replace(day=1)
    statement = None
    refusal_found = None
    if provider:
        try:
            statement = await signed.services.call(
                signed.token,
                "vouchers",
                "GET",
                f"/reconciliation/{provider}",
                params={"from": start.isoformat(), "to": today.isoformat()},
            )
        except ServiceRefusal as refused:
            refusal_found = refused
    return signed.render(
        "redemptions.html", statement=statement, refusal=refusal_found, start=start, end=today
    )
