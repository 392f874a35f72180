"""HTTP routes of field capture: the blank forms, Kobo's pushes, ODK Central pulls."""

from __future__ import annotations

from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends, Header, HTTPException, Request, Response
from fastapi.responses import JSONResponse

from access.fastapi import CurrentPrincipal, authorize
from access.policy import ResourceScope
from eventkit.dependencies import Clock, Pool
from services.cases.field_forms import central
from services.cases.field_forms import intake_commands as intake
from services.cases.field_forms.forms import FORMS, FormKind
from services.cases.field_forms.intake_requests import KoboSubmission
from services.cases.field_forms.settings import FieldFormsSettings
from services.cases.field_forms.submissions import Unreadable, from_kobo
from services.cases.field_forms.xlsform import workbook
from services.cases.settings import Keys

router = APIRouter(tags=["field forms"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FormToken = Annotated[
    str | None,
    Header(alias="Pana-Form-Token", description="The form's secret, set in Kobo's REST service"),
]


def field_settings(request: Request) -> FieldFormsSettings:
    """The app's field-forms settings (forms' secrets, enumerators, ODK Central)."""
    settings: FieldFormsSettings = request.app.state.field_forms
    return settings


FieldSettings = Annotated[FieldFormsSettings, Depends(field_settings)]


@router.get("/field-forms", summary="The field forms (XLSForm) and their versions")
async def forms(principal: CurrentPrincipal) -> dict[str, Any]:
    authorize(principal, "field_forms.download", ResourceScope())
    return {
        "forms": [
            {"kind": kind.value, "form_id": form.form_id, "version": form.version(),
             "title": {"es": form.es, "en": form.en}, "href": f"/field-forms/{kind.value}.xlsx"}
            for kind, form in FORMS.items()
        ]
    }  # fmt: skip


@router.get("/field-forms/{kind}.xlsx", summary="A field form as XLSForm, for Kobo or ODK Central")
async def download(kind: str, principal: CurrentPrincipal) -> Response:
    """`kind`: registration, services, outreach or livelihood."""
    authorize(principal, "field_forms.download", ResourceScope())
    if kind not in FormKind.__members__.values():
        raise HTTPException(404, {"rule": "form_not_found", "message": "no such field form"})
    form = FORMS[FormKind(kind)]
    name = f"{form.form_id}-{form.version()}.xlsx"
    return Response(
        workbook(form), media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )  # fmt: skip


@router.post(
    "/field-submissions/kobo/{form_id}", status_code=201,
    summary="A submission as KoboToolbox's REST Services push it (JSON, one per request)",
    responses={200: {"description": "Already received: its first outcome, nothing changed"},
               202: {"description": "Kept in the review queue with its reason"}},
)  # fmt: skip
async def from_kobo_push(
    form_id: str,
    payload: KoboSubmission,
    token: FormToken = None,
    *,
    settings: FieldSettings,
    keys: Keys,
    clock: Clock,
    pool: Pool,
) -> Response:
    """Authenticated by the form's secret (not a person's token): the enumerator is the Kobo
    account that submitted (`_submitted_by`), mapped to a platform principal."""
    if not settings.sender_may_send(form_id, token):
        raise HTTPException(401, {"rule": "form_token_invalid", "message": "unknown form or token"})
    try:
        submission = from_kobo(form_id, payload.root)
    except Unreadable as error:
        raise HTTPException(422, {"rule": "not_a_submission", "message": str(error)}) from None
    principal = settings.principal(submission.enumerator)
    if principal is None:  # Kobo keeps it and shows the failure; resent once the account is mapped
        raise HTTPException(403, {
            "rule": "enumerator_unknown",
            "message": "the submitting account is mapped to no platform principal",
        })  # fmt: skip
    async with pool.acquire() as conn, conn.transaction():
        received = await intake.receive(conn, keys, submission, principal, clock())
    applied = received.outcome["status"] == "applied"
    status = (201 if applied else 202) if received.first else 200
    return JSONResponse(received.outcome, status_code=status)


@router.post("/field-submissions/odk-central/pull",
             summary="Pull new submissions from ODK Central now")  # fmt: skip
async def pull_central(
    principal: CurrentPrincipal, *, settings: FieldSettings, keys: Keys, clock: Clock, pool: Pool
) -> dict[str, Any]:
    authorize(principal, "field_submission.pull", ResourceScope())
    if settings.central is None:
        raise HTTPException(409, {"rule": "central_not_configured", "message": "no ODK Central"})
    async with httpx.AsyncClient(timeout=30) as http:
        counts = await central.pull(pool, keys, settings, http, clock())
    return {"pulled": counts}
