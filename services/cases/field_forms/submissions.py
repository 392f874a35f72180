"""A submission as KoboToolbox pushes it or ODK Central serves it, read into one shape.

Kobo's REST Services send one flat JSON object per submission: answers keyed by their path
(`person/given_names`), repeats as lists of such objects, and its own fields (`_uuid`,
`_submission_time`, `_submitted_by`, `meta/instanceID`, `formhub/uuid`, `__version__`).
ODK Central's OData feed nests groups as objects, inlines repeats with `$expand=*`, and keeps
its own fields under `__id` and `__system` (`submissionDate`, `submitterId`). Either way an
answer is known here by its question's name, which is unique in each form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class Source(StrEnum):
    KOBO = "kobo"
    ODK_CENTRAL = "odk_central"


class Unreadable(ValueError):
    """The payload is not a submission (no instance id): nothing can be kept under a key."""


INSTANCE_ID = r"^[A-Za-z0-9][A-Za-z0-9:._\-]{0,199}$"
"""An instance id as Collect and Enketo write it (`uuid:...`), or Kobo's `_uuid`."""


def _instance(value: object, what: str) -> str:
    if not isinstance(value, str) or not re.fullmatch(INSTANCE_ID, value):
        raise Unreadable(f"no {what} (letters, digits, ':', '.', '_', '-'; at most 200)")
    return value


@dataclass(frozen=True)
class Submission:
    """One filled-in form: who sent it from where, when it was filled in, and its answers."""

    source: Source
    form_id: str
    instance_id: str
    account: str | None
    started_at: datetime | None
    ended_at: datetime | None
    submitted_at: datetime | None
    answers: dict[str, Any]

    @property
    def filled_at(self) -> datetime | None:
        """When the form was filled in: its end, else its start, else when it was sent."""
        return self.ended_at or self.started_at or self.submitted_at

    @property
    def enumerator(self) -> str | None:
        """The sender's account on its server, as the enumerator mapping names it."""
        return f"{self.source}:{self.account}" if self.account else None


def instant(value: object) -> datetime | None:
    """An ISO 8601 time from a form (`-05:00`, `Z` or naive UTC as Kobo's `_submission_time`)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def answers(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Answers by question name: paths and groups dropped, the servers' own fields left out."""
    found: dict[str, Any] = {}
    for key, value in payload.items():
        name = key.rsplit("/", 1)[-1]
        if name.startswith("_") or "@odata" in key or key.startswith(("meta", "formhub")):
            continue
        if isinstance(value, Mapping):
            found.update(answers(value))
        elif isinstance(value, list):
            found[name] = [answers(item) for item in value if isinstance(item, Mapping)]
        elif value is not None and value != "":
            found[name] = value
    return found


def from_kobo(form_id: str, payload: Mapping[str, Any]) -> Submission:
    """A submission as Kobo's REST Services post it."""
    instance = _instance(payload.get("meta/instanceID") or payload.get("_uuid"),
                         "meta/instanceID nor _uuid")  # fmt: skip
    by = payload.get("_submitted_by")
    return Submission(
        Source.KOBO, form_id, instance if ":" in instance else f"uuid:{instance}",
        by if isinstance(by, str) and by else None, instant(payload.get("start")),
        instant(payload.get("end")), instant(payload.get("_submission_time")), answers(payload),
    )  # fmt: skip


def from_central(form_id: str, entry: Mapping[str, Any]) -> Submission:
    """A submission as ODK Central's OData feed (`.svc/Submissions?$expand=*`) serves it."""
    meta = entry.get("meta") or {}
    instance = _instance(entry.get("__id") or meta.get("instanceID"), "__id nor meta/instanceID")
    system = entry.get("__system") or {}
    by = system.get("submitterId")
    return Submission(
        Source.ODK_CENTRAL, form_id, instance, str(by) if by not in (None, "") else None,
        instant(entry.get("start")), instant(entry.get("end")),
        instant(system.get("submissionDate")), answers(entry),
    )  # fmt: skip
