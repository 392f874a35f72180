"""Who sees what: exact figures for M&E staff, small cells suppressed for everyone else.

Anonymous callers get the suppressed aggregates (a public dashboard shows no person), unless the
program turns that off with `PANA_PUBLIC_AGGREGATES=false`. A caller with a token needs the
`indicators.read` right (viewer, M&E officer, supervisor, administrator); M&E officers and
administrators (`access.disclosure.EXACT_ROLES`) see exact figures by default.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request
from fastapi.security import HTTPAuthorizationCredentials

from access.disclosure import sees_exact
from access.fastapi import _bearer, authenticated, authorize
from access.policy import ResourceScope
from eventkit.dependencies import app_settings
from services.indicators.suppression import View


async def caller_is_me_staff(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> bool:
    """Whether the caller may see exact figures; 401/403 for callers who may see nothing."""
    if credentials is None:
        if not app_settings(request).public_aggregates:
            raise HTTPException(401, "a bearer token is needed", {"WWW-Authenticate": "Bearer"})
        return False
    principal = await authenticated(request, credentials)
    authorize(principal, "indicators.read", ResourceScope())
    return sees_exact(principal)


async def requested_view(
    is_me_staff: Annotated[bool, Depends(caller_is_me_staff)],
    view: Annotated[
        View | None,
        Query(description="`exact` (M&E staff only) or `suppressed`; default by caller."),
    ] = None,
) -> View:
    """The view to serve: as asked when allowed, exact by default only for M&E staff."""
    if view is View.EXACT and not is_me_staff:
        raise HTTPException(403, "exact figures are for authorised M&E staff")
    return view or (View.EXACT if is_me_staff else View.SUPPRESSED)


ViewDep = Annotated[View, Depends(requested_view)]


async def exact_reader(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Only M&E staff (the policy's `indicators.read_exact`): for reports with exact counts
    only, such as the R4V 5W. Anonymous callers get 401, others 403."""
    if credentials is None:
        raise HTTPException(401, "a bearer token is needed", {"WWW-Authenticate": "Bearer"})
    principal = await authenticated(request, credentials)
    authorize(principal, "indicators.read_exact", ResourceScope())


ExactReader = Depends(exact_reader)
