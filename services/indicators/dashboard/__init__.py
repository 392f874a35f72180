"""The dashboard: one static page (HTML, CSS, JS; no build step) reading the API and its SSE."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, RedirectResponse

FILES = Path(__file__).parent
_TYPES = {"dashboard.js": "text/javascript", "dashboard.css": "text/css"}


def dashboard_router() -> APIRouter:
    """`/dashboard` and its two assets; `/` leads there."""
    router = APIRouter(tags=["dashboard"])

    @router.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        return RedirectResponse("/dashboard")

    @router.get("/dashboard", summary="Live logframe dashboard (HTML)")
    async def page() -> FileResponse:
        return FileResponse(FILES / "index.html", media_type="text/html")

    @router.get("/dashboard/{asset}", include_in_schema=False)
    async def asset(asset: str) -> FileResponse:
        media = _TYPES.get(asset)
        if media is None:
            raise HTTPException(404, "no such asset")
        return FileResponse(FILES / asset, media_type=media, headers={"Cache-Control": "no-cache"})

    return router
