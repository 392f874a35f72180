"""The body Kobo's REST Services post: one submission, as Kobo shapes it (read by `submissions`)."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, RootModel

from program.known import example

_EXAMPLE: dict[str, Any] = {
    "_id": 318409876, "_uuid": "c83a5e1f-0d27-4b96-8f4c-6a1e9d2b7c05",
    "meta/instanceID": "uuid:c83a5e1f-0d27-4b96-8f4c-6a1e9d2b7c05",
    "start": "2023-03-15T09:00:12.004-05:00", "end": "2023-03-15T17:45:58.917-05:00",
    "_submission_time": "2023-03-15T22:47:31", "_submitted_by": "ana_field",
    "region": example("territory"), "topic": "health_services", "channel": "fair",
    "delivery_mode": "in_person",
    "attendees": [{"attendees/participant_id": "0b6f3a52-9d1e-4c7a-8e24-5f1b9c3d7a60"}],
}  # fmt: skip


class KoboSubmission(RootModel[dict[str, Any]]):
    """Answers keyed by their group path, repeats as lists, Kobo's own `_` fields."""

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})
