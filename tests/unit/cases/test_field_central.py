"""ODK Central's OData feed read page by page: `$expand=*`, the cursor as `$filter` on the
submission date (UTC, milliseconds, `Z`), `@odata.nextLink` followed, the token sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from pydantic import SecretStr, ValidationError

from access.principal import Role
from services.cases.field_forms.central import entries
from services.cases.field_forms.settings import Central, Enumerator, FieldForm, FieldFormsSettings
from services.cases.field_forms.submissions import Unreadable, from_central, from_kobo
from tests.support.peru import Region

CENTRAL = Central(url="https://central.example.org/", project_id=3, token=SecretStr("t0ken"))
PIURA = "piura"
BASE = "https://central.example.org/v1/projects/3/forms/pana_outreach.svc/Submissions"


async def test_pages_are_followed_with_the_cursor_and_the_token() -> None:
    asked: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        if "$skiptoken" in request.url.params:
            return httpx.Response(200, json={"value": [{"__id": "uuid:2"}]})
        link = f"{BASE}?%24expand=*&%24skiptoken=abc"
        return httpx.Response(200, json={"value": [{"__id": "uuid:1"}], "@odata.nextLink": link})

    since = datetime(2023, 3, 16, 16, 40, 7, 731_000, tzinfo=timezone(timedelta(hours=-5)))
    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        found = [e["__id"] async for e in entries(http, CENTRAL, "pana_outreach", since)]
    assert found == ["uuid:1", "uuid:2"]
    first = asked[0].url.params
    assert first["$expand"] == "*"
    assert first["$filter"] == "__system/submissionDate gt 2023-03-16T21:40:07.731Z"
    assert all(r.headers["authorization"] == "Bearer t0ken" for r in asked)
    assert str(asked[0].url).startswith(BASE)


async def test_a_failing_server_fails_the_pull() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(403, json={"code": "403.1"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        with pytest.raises(httpx.HTTPStatusError):
            [e async for e in entries(http, CENTRAL, "pana_outreach", None)]


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"meta/instanceID": 5},
        {"_uuid": ""},
        {"meta/instanceID": "u" * 201},
        {"meta/instanceID": "uuid:a\x00b"},
        {"meta/instanceID": "uuid:a/../b"},
    ],
)
def test_a_payload_without_an_instance_id_is_not_a_submission(payload: dict[str, Any]) -> None:
    with pytest.raises(Unreadable):
        from_kobo("pana_outreach", payload)
    with pytest.raises(Unreadable):
        from_central("pana_outreach", {"__id": payload.get("meta/instanceID")})


def test_kobo_s_naive_submission_time_is_utc() -> None:
    kobo = from_kobo("f", {"_uuid": "abc", "_submission_time": "2023-03-14T15:11:02"})
    assert kobo.instance_id == "uuid:abc"
    assert kobo.filled_at == datetime(2023, 3, 14, 15, 11, 2, tzinfo=UTC)
    assert kobo.enumerator is None  # an anonymous submission maps to no one


def test_a_form_s_secret_and_the_enumerators_map_from_settings() -> None:
    settings = FieldFormsSettings(
        forms={"pana_outreach": {"token": "a" * 30}},
        enumerators={
            "kobo:ana": {"subject": "ana", "organization_id": "ngo", "regions": ["piura"]}
        },
    )
    assert settings.sender_may_send("pana_outreach", "a" * 30)
    assert not settings.sender_may_send("pana_outreach", "a" * 29 + "b")
    assert not settings.sender_may_send("pana_outreach", None)
    assert not settings.sender_may_send("pana_services", "-" * 24)  # no secret: takes nothing
    ana = settings.principal("kobo:ana")
    assert ana is not None and ana.regions == {Region.PIURA} and ana.role is Role.CASEWORKER
    assert settings.principal("kobo:someone") is None and settings.principal(None) is None
    with pytest.raises(ValidationError):  # a role that could never act fails at start
        Enumerator(subject="c", organization_id="ngo", role=Role.CLINIC, regions=[Region.PIURA])
    with pytest.raises(ValidationError):
        FieldForm(token=SecretStr("short"))
