"""M&E officer, manager, donor: the logframe's attainment, read with the person's own token, so
M&E sees exact figures and everyone else the suppressed view the indicators API gives them;
with each indicator where the schedule expects it by today and its status (word and shape, as
the indicators dashboard shows them, from the same catalog); the donor exports (CSV, Excel)
fetched the same way.

Live: the page's script listens to `/tablero/stream` (the indicators service's Server-Sent
Events, relayed with the person's token: the page may reach only this app) and, at each new
revision, fetches `/tablero/cifras`, the figures and their charts drawn on the server, sending
the ETag it holds so an unchanged answer costs a 304."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import httpx
from fastapi import APIRouter, Header
from fastapi.responses import Response, StreamingResponse

from web.charts import chart
from web.context import SignedIn
from web.services import ServiceRefusal, ServiceUnavailable, refusal

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
    if answer.status_code >= 400:  # said as any refusal is, not as the service's raw body
        return signed.refused(refusal(answer), "/tablero")
    disposition = answer.headers.get("content-disposition", f'attachment; filename="donor.{kind}"')
    return Response(answer.content, media_type=media, headers={"Content-Disposition": disposition})


def _etag(upstream: str, language: str) -> str:
    """The indicators service's ETag, told apart by the language the figures are drawn in."""
    return f'{upstream.rstrip(chr(34))}.{language}"' if upstream else ""


@router.get("/cifras")
async def figures(
    signed: SignedIn, logframe: str, if_none_match: Annotated[str, Header()] = ""
) -> Response:
    """The figures and their charts (a fragment of the page, for its script)."""
    suffix = f'.{signed.language}"'
    upstream_tag = if_none_match[: -len(suffix)] + '"' if if_none_match.endswith(suffix) else ""
    answer = await signed.services.raw(
        signed.token, "indicators", "GET", "/attainment",
        params={"logframe": logframe, "series": "month"},
        headers={"If-None-Match": upstream_tag} if upstream_tag else None,
    )  # fmt: skip
    tag = _etag(answer.headers.get("etag", ""), signed.language)
    if answer.status_code == 304:
        return Response(status_code=304, headers={"ETag": tag})
    if answer.status_code >= 400:
        refused = refusal(answer)
        return signed.render("refusal.html", status_code=refused.status, refusal=refused)
    attainment = answer.json()
    charts = {i["id"]: chart(i, "month", attainment["as_of"], signed.language)
              for i in attainment["indicators"]}  # fmt: skip
    response = signed.render("dashboard_figures.html", attainment=attainment, chosen=logframe,
                             charts=charts)  # fmt: skip
    response.headers["ETag"] = tag
    return response


@router.get("/stream")
async def stream(signed: SignedIn, logframe: str) -> Response:
    """The indicators service's revision events, relayed as they come (one connection to the
    service per open page; closed when the page goes)."""
    http = signed.services.http
    request = http.build_request(
        "GET", signed.services.url("indicators", "/stream"), params={"logframe": logframe},
        headers={"Authorization": f"Bearer {signed.token}"},
        timeout=httpx.Timeout(10.0, read=None),  # quiet for long stretches: heartbeats only
    )  # fmt: skip
    try:
        upstream = await http.send(request, stream=True)
    except httpx.HTTPError as exc:
        raise ServiceUnavailable("indicators") from exc
    if upstream.status_code != 200:
        await upstream.aclose()
        return Response(status_code=upstream.status_code)
    return StreamingResponse(
        _relay(upstream),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _relay(upstream: httpx.Response) -> AsyncIterator[bytes]:
    try:
        async for chunk in upstream.aiter_raw():
            yield chunk
    except httpx.HTTPError:
        return  # the page's EventSource reconnects by itself
    finally:
        await upstream.aclose()
