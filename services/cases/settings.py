"""The cases service's settings, and the routes' typed dependencies on them.

    async def add_note(case_id: uuid.UUID, body: NoteRequest, ..., keys: Keys)

`CasesSettings` are `PANA_*` with this service's local defaults; `PersonalDataKeys` the keys
personal data is sealed and indexed under (`PANA_PERSONAL_DATA_*`, no defaults). The app keeps
both in its state (`app.py`); a route takes them as `Annotated` dependencies, as it takes
`eventkit.dependencies.Pool` and `Clock`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from access.settings import PersonalDataKeys
from eventkit.settings import ServiceSettings


class CasesSettings(ServiceSettings):
    """`PANA_*` settings with this service's local defaults."""

    service_name: str = "cases"
    port: int = 8001
    database_url: str = "postgresql://postgres@127.0.0.1:5432/pana_cases"


def app_keys(request: Request) -> PersonalDataKeys:
    """The app's personal data keys."""
    keys: PersonalDataKeys = request.app.state.personal_data_keys
    return keys


Keys = Annotated[PersonalDataKeys, Depends(app_keys)]
"""The app's personal data keys."""
