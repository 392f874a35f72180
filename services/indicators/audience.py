"""Who sees exact figures: the view mode of a request (exact for M&E staff, else suppressed).

`caller_is_me_staff` is the one seam with authentication: until the `access` package provides
the verified principal, nobody is M&E staff, so the HTTP API serves the suppressed view. Replace
it (or override it with `app.dependency_overrides`) with a check of the caller's role.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request

from services.indicators.suppression import View


async def caller_is_me_staff(request: Request) -> bool:
    """Whether the caller is authorised M&E staff (placeholder: never, until `access` lands)."""
    return False


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
