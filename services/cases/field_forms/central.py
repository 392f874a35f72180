"""Pulling submissions from ODK Central's OData feed, each received as Kobo's pushes are.

`GET /v1/projects/{project}/forms/{form}.svc/Submissions?$expand=*&$filter=__system/
submissionDate gt {cursor}` with the project's token, following `@odata.nextLink`. The cursor
per form (`field_pulls`) only moves past submissions that were received: one whose submitter
maps to no platform principal stays behind it and is read again on the next pull (logged by
instance id, never by its answers), so it is not lost once its account is mapped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import structlog

from access.settings import PersonalDataKeys
from services.cases.field_forms import intake_commands as intake
from services.cases.field_forms.settings import Central, FieldFormsSettings
from services.cases.field_forms.submissions import Submission, Unreadable, from_central

log = structlog.get_logger("cases.field_forms")
PAGE = 250


async def entries(
    http: httpx.AsyncClient, central: Central, form_id: str, since: datetime | None
) -> AsyncIterator[dict[str, Any]]:
    """Every submission of `form_id` sent after `since`, page by page."""
    project = f"{central.url.rstrip('/')}/v1/projects/{central.project_id}"
    url = f"{project}/forms/{form_id}.svc/Submissions"
    params: dict[str, str] | None = {"$expand": "*", "$top": str(PAGE)}
    if since is not None and params is not None:
        stamp = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
        params["$filter"] = f"__system/submissionDate gt {stamp}Z"
    headers = {"Authorization": f"Bearer {central.token.get_secret_value()}"}
    next_url: str | None = url
    while next_url is not None:
        answer = await http.get(next_url, params=params, headers=headers)
        answer.raise_for_status()
        page = answer.json()
        for entry in page.get("value", []):
            yield entry
        link = page.get("@odata.nextLink")
        next_url, params = (str(httpx.URL(url).join(link)), None) if link else (None, None)


async def pull(
    pool: asyncpg.Pool,
    keys: PersonalDataKeys,
    settings: FieldFormsSettings,
    http: httpx.AsyncClient,
    now: datetime,
) -> dict[str, int]:
    """One pull of every configured form; how many were applied, put in review, already
    known, or held back for an unmapped submitter."""
    counts: Counter[str] = Counter()
    central = settings.central
    if central is None:
        return {}
    for form_id in central.forms:
        since = await pool.fetchval(
            "SELECT submitted_until FROM field_pulls WHERE form_id = $1", form_id
        )
        received: list[datetime] = []
        held: list[datetime] = []
        async for entry in entries(http, central, form_id, since):
            try:
                submission = from_central(form_id, entry)
            except Unreadable as error:  # not a submission: nothing to key it by, nor to keep
                log.warning("field_forms.unreadable_submission", form_id=form_id, error=str(error))
                counts["unreadable"] += 1
                continue
            status = await _receive(pool, keys, settings, submission, now)
            counts[status] += 1
            sent = submission.submitted_at or now
            (held if status == "unmapped" else received).append(sent)
        cursor = min(held) - timedelta(microseconds=1) if held else max(received, default=None)
        if cursor is not None and (since is None or cursor > since):
            await pool.execute(
                "INSERT INTO field_pulls VALUES ($1, $2) ON CONFLICT (form_id)"
                " DO UPDATE SET submitted_until = EXCLUDED.submitted_until",
                form_id,
                cursor,
            )
    return dict(counts)


async def _receive(
    pool: asyncpg.Pool,
    keys: PersonalDataKeys,
    settings: FieldFormsSettings,
    submission: Submission,
    now: datetime,
) -> str:
    principal = settings.principal(submission.enumerator)
    if principal is None:
        log.warning(
            "field_forms.unmapped_submitter",
            instance_id=submission.instance_id,
            enumerator=submission.enumerator,
        )
        return "unmapped"
    async with pool.acquire() as conn, conn.transaction():
        received = await intake.receive(conn, keys, submission, principal, now)
    return str(received.outcome["status"]) if received.first else "known"
