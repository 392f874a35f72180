"""Composition root of the web app: settings, the HTTP client, sessions, sign-in, the pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from web import i18n
from web.context import TEMPLATES, SignInNeeded
from web.pages import (
    admin,
    auth,
    caseworker,
    clinic,
    dashboard,
    directory,
    inbox,
    supervisor,
)
from web.pages.auth import language_of
from web.pages.group_activities import router as group_activities
from web.services import Services, ServiceUnavailable
from web.settings import WebSettings
from web.signin import OpenIdClient

STATIC = Path(__file__).with_name("static")


def security_headers(settings: WebSettings) -> dict[str, str]:
    """Every script and style is a file of this app: nothing inline, nothing from elsewhere.
    Forms post here only (sign-out redirects on to the provider, which form-action covers)."""
    issuer = urlsplit(settings.oidc_issuer)
    provider = f"{issuer.scheme}://{issuer.netloc}"
    return {
        "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
        f"base-uri 'none'; frame-ancestors 'none'; form-action 'self' {provider}",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }


def create_app(settings: WebSettings | None = None) -> FastAPI:
    """Build the web app."""
    settings = settings or WebSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with httpx.AsyncClient(timeout=settings.service_timeout_seconds) as http:
            app.state.services = Services(settings, http)
            app.state.openid = OpenIdClient(settings, http)
            await sessions.start()
            try:
                yield
            finally:
                await sessions.stop()

    app = FastAPI(
        title="Pana web", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None
    )
    app.state.settings = settings
    secure = security_headers(settings)
    sessions = settings.session_store()
    app.state.sessions = sessions
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (auth, clinic, caseworker, supervisor, inbox, dashboard, admin, directory):
        app.include_router(module.router)
    app.include_router(group_activities)

    @app.get("/healthz", include_in_schema=False)
    @app.get("/readyz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}  # nothing to wait for: sign-in and services are found per call

    @app.exception_handler(SignInNeeded)
    async def sign_in(request: Request, exc: SignInNeeded) -> Response:
        if request.headers.get("content-type", "").startswith("application/json"):
            # The clinic's script: a 401 keeps its redemption pending (a redirect to the
            # provider's page would look like a dropped network to it).
            return JSONResponse({"state": "signed_out"}, status_code=401)
        return RedirectResponse(f"/login?next={exc.next_path}", status_code=303)

    @app.exception_handler(ServiceUnavailable)
    async def unavailable(request: Request, exc: ServiceUnavailable) -> Response:
        return _message(request, "error.unavailable_title", "error.unavailable", 503)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.headers.get("content-type", "").startswith("application/json"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        return _message(request, "error.title", str(exc.detail), exc.status_code)

    @app.middleware("http")
    async def headers(request: Request, call_next: object) -> Response:
        response: Response = await call_next(request)  # type: ignore[operator]
        for name, value in secure.items():
            response.headers.setdefault(name, value)
        if request.url.path.startswith("/static/"):
            response.headers["Cache-Control"] = "public, max-age=86400"
        else:
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app


def _message(request: Request, title_key: str, text_key: str, status: int) -> Response:
    language = language_of(request)
    return TEMPLATES.TemplateResponse(
        request,
        "message.html",
        {
            "signed": None,
            "lang": language,
            "t": lambda key, **v: i18n.translate(language, key, **v),
            "title": i18n.translate(language, title_key),
            "text": i18n.translate(language, text_key),
        },
        status_code=status,
    )
