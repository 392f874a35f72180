"""The HTTP edge: bearer token -> `Principal` (or 401), policy decision -> allowed (or 403).

One way to authorize a route: the `CurrentPrincipal` dependency (the verified caller with its
active break-glass grants; 401 without a valid token), then `authorize(principal, action,
scope)` once the route knows where the resource belongs (a path's region, a body's region, a
row it read). `authorize` raises `Forbidden` (403, audited as `denied` by `audit_refusals`)
and returns the decision, which names a break-glass grant that allowed it:

    use_verifier(app, TokenSettings().verifier())

    @router.get("/vouchers/{voucher_id}")
    async def read(voucher_id: str, principal: CurrentPrincipal) -> ...:
        row = ...
        grant = authorize(principal, "voucher.read", ResourceScope(region=row["region"])).grant_id
"""

from __future__ import annotations

import asyncio
from typing import Annotated

import asyncpg
import structlog
from fastapi import Depends, FastAPI, HTTPException, Request, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from access.audit import append as audit_append
from access.audit_chain import AuditRecord
from access.grants import with_active_grants
from access.jwks import KeysUnavailable
from access.policy import POLICY, Decision, ResourceScope, decide
from access.principal import InconsistentClaims, Principal
from access.tokens import TokenError, TokenVerifier
from access.verified_tokens import VerifiedTokens
from eventkit.dependencies import app_clock
from eventkit.holds import address

log = structlog.get_logger("access.fastapi")
_bearer = HTTPBearer(auto_error=False, description="An OAuth2 access token (JWT) from the issuer")


class Forbidden(HTTPException):
    """403: the policy (or a rule) refused `action`; audited as `denied` by `audit_refusals`."""

    def __init__(self, action: str, reason: str) -> None:
        super().__init__(
            status.HTTP_403_FORBIDDEN,
            reason,
            headers={"WWW-Authenticate": 'Bearer error="insufficient_scope"'},
        )
        self.action = action


def use_verifier(app: FastAPI, verifier: TokenVerifier) -> None:
    """Make `app`'s routes verify tokens with `verifier` (forgetting tokens verified before)."""
    app.state.token_verifier = verifier
    app.state.verified_tokens = VerifiedTokens()


async def authenticated(
    request: Request, credentials: HTTPAuthorizationCredentials | None
) -> Principal:
    """The caller's principal from `Authorization: Bearer`; 401 with the reason otherwise.

    A token verified a moment ago is taken from `VerifiedTokens`; a new one is verified in a
    worker thread, where fetching the issuer's keys on a cold cache does not block the loop.
    """
    if credentials is None:
        # RFC 6750 3.1: a request without credentials gets the challenge but no error code.
        raise _unauthorized("no bearer token", 'Bearer realm="pana"')
    token = credentials.credentials
    verified: VerifiedTokens = _verified_tokens(request.app)
    principal = verified.get(token)
    if principal is not None:
        return principal
    verifier: TokenVerifier = request.app.state.token_verifier
    try:
        claims = await asyncio.to_thread(verifier.verify, token)
        principal = Principal.from_claims(claims)
    except (TokenError, InconsistentClaims) as exc:
        challenge = f'Bearer error="invalid_token", error_description="{exc.reason}"'
        raise _unauthorized(exc.reason, challenge) from exc
    except KeysUnavailable as exc:
        detail = "the token issuer's keys are unavailable"
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail) from exc
    verified.keep(token, claims, principal)
    return principal


async def subject_or_address(app: FastAPI, scope: Scope) -> str:
    """Whom a slow request (a body arriving, a stream, a long poll) counts against.

    A verified token's subject, else the address.

    A token that does not verify counts as no token: made-up tokens must not give one address
    a fresh client for every request. Verified tokens are kept, so the route's own check is free.
    """
    token = _bearer_token(scope)
    verifier: TokenVerifier | None = getattr(app.state, "token_verifier", None)
    if token and verifier is not None:
        verified = _verified_tokens(app)
        principal = verified.get(token)
        if principal is None:
            try:
                claims = await asyncio.to_thread(verifier.verify, token)
                principal = Principal.from_claims(claims)
            except (TokenError, InconsistentClaims, KeysUnavailable):
                return address(scope)
            verified.keep(token, claims, principal)
        return f"subject:{principal.organization_id}/{principal.subject}"
    return address(scope)


def _bearer_token(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" else None
    return None


def _verified_tokens(app: FastAPI) -> VerifiedTokens:
    kept = getattr(app.state, "verified_tokens", None)
    if kept is None:
        kept = app.state.verified_tokens = VerifiedTokens()
    return kept


async def caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The verified caller with the break-glass grants it holds in this service (audited).

    One dependency, calling `authenticated` itself: each level of dependencies costs FastAPI a
    pass over the request's parameters, on every request.
    """
    now = app_clock(request)()  # the time the request's grants and decisions are judged at
    principal = await with_active_grants(request, await authenticated(request, credentials), now)
    request.state.principal = principal  # for the audit of a refusal (`audit_refusals`)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(caller)]
"""A route parameter holding the verified caller (and its active break-glass grants)."""


def authorize(principal: Principal, action: str, scope: ResourceScope) -> Decision:
    """403 with the policy's reason unless `principal` may do `action` on `scope` (audited as
    `denied` by `audit_refusals`); the decision names a break-glass grant used. An action the
    policy does not know is a programming error (`ValueError`), not a refusal."""
    if action not in POLICY:
        raise ValueError(f"{action!r} is not in access.policy.POLICY")
    decision = decide(principal, action, scope)
    if not decision.allowed:
        raise Forbidden(action, decision.reason)
    return decision


def authorize_all(principal: Principal, action: str, scopes: list[ResourceScope]) -> None:
    """403 unless `principal` may do `action` in every one of `scopes` (a person's record and
    the records it was merged into)."""
    for where in scopes:
        authorize(principal, action, where)


def _unauthorized(reason: str, challenge: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, reason, {"WWW-Authenticate": challenge})


def refused_resource(request: Request) -> tuple[str, str]:
    """What a refused request was about: the first `<kind>_id` path parameter, else the request
    (method and path: ids only, never personal data)."""
    for name, value in request.path_params.items():
        if name.endswith("_id"):
            return name.removesuffix("_id"), str(value)
    return "request", f"{request.method} {request.url.path}"


async def audit_refusal(request: Request, exc: StarletteHTTPException) -> None:
    """Append a `denied` record of a 403 to an identified caller, in its own transaction (the
    request's own rolled back); a database that cannot take it is logged, the 403 stands."""
    principal = getattr(request.state, "principal", None)
    pool = getattr(request.app.state, "pool", None)
    if exc.status_code != status.HTTP_403_FORBIDDEN or principal is None or pool is None:
        return
    if isinstance(exc, Forbidden):
        action, why = exc.action, str(exc.detail)
    else:  # a rule's 403 (e.g. another provider's voucher): {"rule", "message"}
        route = getattr(request.scope.get("route"), "path", request.url.path)
        action = f"{request.method} {route}"
        detail = exc.detail
        why = str(detail.get("rule")) if isinstance(detail, dict) else str(detail)
    record = AuditRecord.by(principal, action, refused_resource(request), "denied", why[:300])
    try:
        async with pool.acquire() as conn, conn.transaction():
            await audit_append(conn, record)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as error:
        log.warning("audit.refusal_not_recorded", error=type(error).__name__, action=action)


def audit_refusals(app: FastAPI) -> None:
    """Every 403 the app answers an identified caller is audited as `denied`."""

    async def handler(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        await audit_refusal(request, exc)
        return await http_exception_handler(request, exc)

    app.add_exception_handler(StarletteHTTPException, handler)
