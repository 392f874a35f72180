"""Sign-in, sign-out, language, and the start page that sends each role to its own pages."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from access.principal import Role
from web import i18n
from web.context import TEMPLATES, principal_of
from web.sessions import COOKIE, LOGIN_COOKIE, Session, SessionStore
from web.signin import OpenIdClient, SignInFailed, new_pending

router = APIRouter()
LANGUAGE_COOKIE = "pana_lang"

HOME = {
    Role.CLINIC: "/clinica",
    Role.RECEIVING_SERVICE: "/bandeja",
    Role.CASEWORKER: "/casos",
    Role.SUPERVISOR: "/casos",
    Role.ME_OFFICER: "/tablero",
    Role.VIEWER: "/tablero",
    Role.ADMINISTRATOR: "/admin",
}


def language_of(request: Request) -> str:
    chosen = request.cookies.get(LANGUAGE_COOKIE, i18n.DEFAULT)
    return chosen if chosen in i18n.LANGUAGES else i18n.DEFAULT


def _cookie(response: Response, name: str, value: str, request: Request, max_age: int) -> None:
    response.set_cookie(
        name, value, max_age=max_age, httponly=True, secure=True, samesite="lax", path="/"
    )


def _safe_next(path: str | None) -> str:
    """Only a path of this app (never another site: an open redirect)."""
    if not path or not path.startswith("/") or path.startswith("//"):
        return "/"
    return path


@router.get("/", include_in_schema=False)
async def start(request: Request) -> Response:
    sessions: SessionStore = request.app.state.sessions
    session = await sessions.get(request.cookies.get(COOKIE))
    if session is not None:
        principal = principal_of(session.tokens.access_token)
        if principal is not None:
            return RedirectResponse(HOME[principal.role], status_code=303)
    language = language_of(request)
    return TEMPLATES.TemplateResponse(
        request,
        "welcome.html",
        {
            "signed": None,
            "lang": language,
            "t": lambda key, **v: i18n.translate(language, key, **v),
        },
    )


@router.get("/login", include_in_schema=False)
async def login(request: Request, next: str = "/") -> Response:
    sessions: SessionStore = request.app.state.sessions
    client: OpenIdClient = request.app.state.openid
    pending = new_pending(_safe_next(next))
    state = await sessions.start_sign_in(pending)
    url = await client.authorization_url(state, pending, language_of(request))
    response = RedirectResponse(url, status_code=303)
    _cookie(response, LOGIN_COOKIE, state, request, 600)
    return response


@router.get("/auth/callback", include_in_schema=False)
async def callback(request: Request, state: str = "", code: str = "", error: str = "") -> Response:
    sessions: SessionStore = request.app.state.sessions
    client: OpenIdClient = request.app.state.openid
    # The state must be this browser's own sign-in (no one else's code signs it in).
    mine = state == request.cookies.get(LOGIN_COOKIE)
    pending = await sessions.finish_sign_in(state) if mine else None
    if pending is None or error or not code:
        return RedirectResponse("/", status_code=303)
    try:
        tokens, claims = await client.exchange(code, pending)
    except SignInFailed:
        return RedirectResponse("/", status_code=303)
    sid = await sessions.open(Session(tokens, claims, language_of(request)))
    principal = principal_of(tokens.access_token)
    target = pending.next_path
    if target == "/" and principal is not None:
        target = HOME[principal.role]
    response = RedirectResponse(target, status_code=303)
    _cookie(response, COOKIE, sid, request, request.app.state.settings.session_idle_minutes * 60)
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


@router.post("/logout", include_in_schema=False)
async def logout(request: Request, csrf: str = Form("")) -> Response:
    sessions: SessionStore = request.app.state.sessions
    client: OpenIdClient = request.app.state.openid
    session = await sessions.get(request.cookies.get(COOKIE))
    target = "/"
    if session is not None and csrf == session.csrf:
        await sessions.close(request.cookies.get(COOKIE))
        target = await client.sign_out_url(session.tokens.id_token) or "/"
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/idioma/{language}", include_in_schema=False)
async def choose_language(request: Request, language: str, next: str = "/") -> Response:
    chosen = language if language in i18n.LANGUAGES else i18n.DEFAULT
    sessions: SessionStore = request.app.state.sessions
    session = await sessions.get(request.cookies.get(COOKIE))
    if session is not None:
        session.language = chosen
        await sessions.save(request.cookies.get(COOKIE), session)
    response = RedirectResponse(_safe_next(next), status_code=303)
    _cookie(response, LANGUAGE_COOKIE, chosen, request, 365 * 24 * 3600)
    return response
