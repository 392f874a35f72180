"""What every page needs: the signed-in person (or a redirect to sign in) and rendering."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import jwt
from fastapi import Depends, HTTPException, Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from access.oidc import principal_claims
from access.principal import InconsistentClaims, Principal
from web import days, i18n
from web.services import ServiceRefusal, Services
from web.sessions import COOKIE, Session, SessionStore
from web.signin import OpenIdClient, SignInFailed

TEMPLATES = Jinja2Templates(directory=Path(__file__).with_name("templates"))
TEMPLATES.env.globals.update(
    day_pattern=days.PATTERN,
    format_date=i18n.format_date,
    format_money=i18n.format_money,
    format_number=i18n.format_number,
    translate=i18n.translate,
)


class SignInNeeded(Exception):
    """No session (or it ended): the page sends the browser to sign in."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


@dataclass
class Signed:
    """A request of a signed-in person."""

    request: Request
    session: Session
    sid: str
    principal: Principal | None
    """Who the access token says (for menus only: the services decide what is allowed)."""

    @property
    def token(self) -> str:
        return self.session.tokens.access_token

    @property
    def language(self) -> str:
        return self.session.language

    @property
    def services(self) -> Services:
        services: Services = self.request.app.state.services
        return services

    def t(self, key: str, **values: object) -> str:
        return i18n.translate(self.language, key, **values)

    def render(self, template: str, status_code: int = 200, **context: Any) -> Response:
        return TEMPLATES.TemplateResponse(
            self.request,
            template,
            {"signed": self, "lang": self.language, "t": self.t, **context},
            status_code=status_code,
        )

    def refusal_text(self, refused: ServiceRefusal) -> str:
        """A refusal in the person's language: the rule's label when the catalog has one, else
        the service's own words (never nothing)."""
        if refused.rule:
            label = self.t(f"rule.{refused.rule}")
            if label != f"rule.{refused.rule}":
                return label
        return refused.message

    def refused(self, refused: ServiceRefusal, back: str) -> Response:
        """The page that says what the service refused, and the way back to the form."""
        return self.render(
            "message.html",
            title=self.t("error.refused"),
            text=self.refusal_text(refused),
            back=back,
            status_code=refused.status if refused.status < 500 else 502,
        )

    def check_csrf(self, token: str) -> None:
        """Refuse a form not sent from one of this session's pages."""
        if token != self.session.csrf:
            raise HTTPException(403, self.t("error.csrf"))

    async def save(self) -> None:
        """Keep what this request changed in the session (for every replica)."""
        sessions: SessionStore = self.request.app.state.sessions
        await sessions.save(self.sid, self.session)


def principal_of(access_token: str) -> Principal | None:
    """The principal an access token describes, read without verifying (menus only)."""
    try:
        claims = jwt.decode(access_token, options={"verify_signature": False})
        return Principal.from_claims(principal_claims(claims))
    except (jwt.PyJWTError, InconsistentClaims):
        return None


async def signed(request: Request) -> Signed:
    """The signed-in person, with a fresh access token; `SignInNeeded` otherwise."""
    sessions: SessionStore = request.app.state.sessions
    sid = request.cookies.get(COOKIE) or ""
    session = await sessions.get(sid)
    next_path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if session is None:
        raise SignInNeeded(quote(next_path))
    if session.tokens.expires_at - time.time() < 30:
        client: OpenIdClient = request.app.state.openid
        try:
            session.tokens = await client.refresh(session.tokens)
        except SignInFailed:
            await sessions.close(sid)
            raise SignInNeeded(quote(next_path)) from None
        await sessions.save(sid, session)
    return Signed(request, session, sid, principal_of(session.tokens.access_token))


SignedIn = Annotated[Signed, Depends(signed)]
