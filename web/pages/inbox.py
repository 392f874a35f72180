"""A receiving service (a referral destination's unit): the referrals addressed to it, with the
deadline of each; accept, reject with a reason, complete with an outcome."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse, Response

from web.context import SignedIn
from web.services import ServiceRefusal
from web.vocabulary import OUTCOMES, REJECTION_REASONS

router = APIRouter(prefix="/bandeja")
Text = Annotated[str, Form()]


@router.get("")
async def inbox(signed: SignedIn) -> Response:
    unit = signed.principal.unit_id if signed.principal else None
    referrals = []
    if unit:
        referrals = await signed.services.call(
            signed.token, "referrals", "GET", f"/units/{unit}/referrals"
        )
    now = datetime.now(UTC).isoformat()
    return signed.render(
        "inbox.html",
        referrals=referrals,
        now=now,
        reasons=REJECTION_REASONS,
        outcomes=OUTCOMES,
        key=str(uuid.uuid4()),
    )


@router.post("/{referral_id}/{answer}")
async def answer(
    signed: SignedIn,
    referral_id: uuid.UUID,
    answer: str,
    csrf: Text,
    key: Text,
    reason: Text = "",
    outcome: Text = "",
) -> Response:
    signed.check_csrf(csrf)
    unit = signed.principal.unit_id if signed.principal else None
    bodies = {"accept": None, "reject": {"reason": reason}, "complete": {"outcome": outcome}}
    if answer not in bodies or not unit:
        return RedirectResponse("/bandeja", status_code=303)
    try:
        await signed.services.call(
            signed.token,
            "referrals",
            "POST",
            f"/units/{unit}/referrals/{referral_id}/{answer}",
            json=bodies[answer],
            headers={"Idempotency-Key": key or str(uuid.uuid4())},
        )
    except ServiceRefusal as refused:  # the rule's label in the person's language
        return signed.refused(refused, "/bandeja")
    return RedirectResponse(f"/bandeja?hecho={answer}", status_code=303)
