"""The dashboard: one static page (HTML, CSS, JS; no build step) reading the API and its SSE.

Its labels are the web app's: the page reads `/dashboard/messages/{es,en}.json`, served here
from `web/messages/*.json` (the package data of `web`, read as files, not imported code), the
`dashboard.*` and `code.*` labels only. One catalog per language, edited in one place, for the
signed-in `/tablero` and this page alike; nothing is copied at build time. Territories are the
program file's words: their labels (`code.<territory>`) come from it and win over the catalog's,
so another country's municipalities need no catalog entry.

The page's first answers are named in its head (`<link rel=preload>`): the labels, the catalog
and the cards' `/attainment?logframe=<the version it opens on>&series=none`, exactly as the
script asks for them, so the browser fetches them beside the script instead of after it ran
(benchmark 6, `bench/first_paint.py`: the cards' paint waited for three round trips in a row).
"""

from __future__ import annotations

import html
import json
from datetime import date
from functools import cache
from importlib.resources import files
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from eventkit.dependencies import Clock
from program.load import current_program
from services.indicators.catalog import Catalog

FILES = Path(__file__).parent
_TYPES = {"dashboard.js": "text/javascript", "dashboard.css": "text/css"}
LANGUAGES = ("es", "en")
_SHARED = ("dashboard.", "code.")


@cache
def labels(language: str) -> bytes:
    """The dashboard's labels in `language`, as JSON, from the web app's catalog."""
    catalog = json.loads(files("web").joinpath("messages", f"{language}.json").read_text("utf-8"))
    shown = {k: v for k, v in catalog.items() if k.startswith(_SHARED)}
    for unit in current_program().territories.units:
        shown[f"code.{unit.code}"] = getattr(unit.labels, language)
    return json.dumps(shown, ensure_ascii=False).encode()


@cache
def _page() -> str:
    return (FILES / "index.html").read_text("utf-8")


def preloads(catalog: Catalog, today: date, asked: str | None, language: str) -> str:
    """The `<link rel=preload>` of the answers the script asks for first, as it asks for them:
    the version in the address when served, else the one whose period includes `today`."""
    key = asked if asked in catalog.logframes else catalog.current(today)
    first = urlencode({"logframe": key, "series": "none"})
    return "".join(
        f'<link rel="preload" href="{html.escape(href)}" as="fetch" crossorigin="anonymous">'
        for href in (f"/dashboard/messages/{language}.json", "/logframes", f"/attainment?{first}")
    )


def dashboard_router(catalog: Catalog) -> APIRouter:
    """`/dashboard` and its two assets; `/` leads there."""
    router = APIRouter(tags=["dashboard"])

    @router.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        return RedirectResponse("/dashboard")

    @router.get("/dashboard", summary="Live logframe dashboard (HTML)")
    async def page(
        clock: Clock, logframe: str | None = None, lang: str | None = None
    ) -> HTMLResponse:
        today = clock().astimezone(catalog.get(None).zone).date()
        links = preloads(catalog, today, logframe, "en" if lang == "en" else "es")
        return HTMLResponse(_page().replace("<!-- preloads -->", links))

    @router.get("/dashboard/messages/{language}.json", include_in_schema=False)
    async def messages(language: str) -> Response:
        if language not in LANGUAGES:
            raise HTTPException(404, "no such language")
        return Response(labels(language), media_type="application/json")

    @router.get("/dashboard/{asset}", include_in_schema=False)
    async def asset(asset: str) -> FileResponse:
        media = _TYPES.get(asset)
        if media is None:
            raise HTTPException(404, "no such asset")
        return FileResponse(FILES / asset, media_type=media, headers={"Cache-Control": "no-cache"})

    return router
