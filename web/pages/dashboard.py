"""M&E officer, manager, donor: the logframe's attainment, read with the person's own token, so
M&E sees exact figures and everyone else the suppressed view the indicators API gives them;
with each indicator where the schedule expects it by today and its status (word and shape, as
the indicators dashboard shows them, from the same catalog); the donor exports (CSV, Excel)
fetched the same way."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from web.context import SignedIn
from web.services import ServiceRefusal

router = APIRouter(prefix="/tablero")
EXPORTS = {
    "csv": ("/exports/donor.csv", "text/csv"),
    "xlsx": (
        "/exports/donor.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
}


@router.get("")
async def dashboard(signed: SignedIn, logframe: str | None = None) -> Response:
    versions = await signed.services.call(signed.token, "indicators", "GET", "/logframes")
    chosen = logframe or versions.get("current") or versions["default"]
    refusal = None
    attainment = None
    try:
        attainment = await signed.services.call(
            signed.token,
            "indicators",
            "GET",
            "/attainment",
            params={"logframe": chosen, "series": "none"},  # the table shows no series
        )
    except ServiceRefusal as refused:
        refusal = refused
    return signed.render(
        "dashboard.html",
        versions=versions["logframes"],
        chosen=chosen,
        attainment=attainment,
        refusal=refusal,
    )


@router.get("/export.{kind}")
async def export(signed: SignedIn, kind: str, logframe: str) -> Response:
    path, media = EXPORTS.get(kind, EXPORTS["csv"])
    answer = await signed.services.raw(
        signed.token, "indicators", "GET", path, params={"logframe": logframe}
    )
    if answer.status_code >= 400:
        return signed.render(
            "message.html",
            title=signed.t("error.refused"),
            text=answer.text[:300],
            back="/tablero",
            status_code=answer.status_code,
        )
    disposition = answer.headers.get("content-disposition", f'attachment; filename="donor.{kind}"')
    return Response(answer.content, media_type=media, headers={"Content-Disposition": disposition})
