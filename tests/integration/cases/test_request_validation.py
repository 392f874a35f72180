"""Property: malformed or out-of-range input gets a 4xx naming the field, never a 500.

Hypothesis takes each request model's own OpenAPI example, breaks one field (a value no field
type accepts, a missing required field, an unknown field) and sends it to the running service
over real HTTP. It runs in a worker thread because the service runs on the test's event loop.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from services.cases import acts_requests as ar
from services.cases import case_requests as cr
from services.cases import participant_requests as pr
from services.cases.group_activity_requests import GroupActivityRequest
from tests.support.services import RunningService

pytestmark = pytest.mark.integration
P, C = uuid.uuid4(), uuid.uuid4()
ROUTES: list[tuple[str, type[BaseModel]]] = [
    ("/participants", pr.RegisterRequest),
    ("/participants/search", pr.SearchRequest),
    (f"/participants/{P}/corrections", pr.CorrectRequest),
    (f"/participants/{P}/merge", pr.MergeRequest),
    (f"/participants/{P}/consents", pr.ConsentRequest),
    (f"/participants/{P}/consents/{C}/withdrawal", pr.WithdrawRequest),
    (f"/participants/{P}/erasure", pr.ErasureRequest),
    (f"/participants/{P}/reaches", ar.ReachRequest),
    (f"/participants/{P}/livelihoods/enrolments", ar.EnrolRequest),
    (f"/participants/{P}/livelihoods/stages", ar.StageRequest),
    (f"/participants/{P}/livelihoods/training", ar.TrainingRequest),
    (f"/participants/{P}/livelihoods/outcomes", ar.OutcomeRequest),
    ("/cases", cr.OpenCaseRequest),
    (f"/cases/{C}/reassignment", cr.ReassignRequest),
    (f"/cases/{C}/closure", cr.CloseRequest),
    (f"/cases/{C}/reopening", cr.ReopenRequest),
    (f"/cases/{C}/notes", cr.NoteRequest),
    (f"/cases/{C}/services", cr.DeliverRequest),
    (f"/cases/{C}/legal-complaints", cr.ComplaintRequest),
    (f"/cases/{C}/legal-complaints/{P}/taken-up", cr.TakenUpRequest),
    ("/outreach", ar.OutreachRequest),
    ("/group-activities", GroupActivityRequest),
]

# Values no field of any request accepts: objects, huge numbers (out of every range, and not a
# timestamp), overlong text, nested lists of objects.
UNACCEPTABLE = st.one_of(
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    st.integers(min_value=10**20, max_value=10**30),
    st.integers(min_value=-(10**30), max_value=-(10**20)),
    st.builds(str.__mul__, st.sampled_from(["a", "Ñ", "9-"]), st.integers(10_001, 10_100)),
    st.lists(st.dictionaries(st.just("k"), st.none(), min_size=1), min_size=1, max_size=2),
)


def _example(model: type[BaseModel]) -> dict[str, Any]:
    examples = model.model_json_schema()["examples"]
    return dict(examples[0])


@st.composite
def broken(draw: st.DrawFn) -> tuple[str, dict[str, Any], str]:
    path, model = draw(st.sampled_from(ROUTES))
    body = _example(model)
    field = draw(st.sampled_from(sorted(model.model_fields)))
    how = draw(st.sampled_from(["bad_value", "missing", "unknown_field"]))
    if how == "missing" and model.model_fields[field].is_required():
        body.pop(field, None)
    elif how == "unknown_field":
        field = draw(st.sampled_from(["surname", "address", "extra_" + field]))
        body[field] = "x"
    else:
        body[field] = draw(UNACCEPTABLE)
    return path, body, field


def check(base_url: str, headers: dict[str, str]) -> None:
    with httpx.Client(base_url=base_url, headers=headers, timeout=10) as client:

        @settings(
            max_examples=100, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        @given(broken())
        def property_holds(case: tuple[str, dict[str, Any], str]) -> None:
            path, body, field = case
            answer = client.post(path, json=body)
            assert answer.status_code != 500, (path, field, answer.text[:300])
            if answer.status_code == 422:
                assert field in answer.text, (path, field, answer.text[:300])
            else:  # a missing optional field leaves a valid body: the rules answer (4xx here)
                assert 400 <= answer.status_code < 500 or answer.status_code < 300, answer.text

        property_holds()
        malformed = client.post(
            "/cases", content=b'{"participant_id": ', headers={"content-type": "application/json"}
        )
        assert malformed.status_code == 422
        short_key = client.post("/cases", json={}, headers={"Idempotency-Key": "x"})
        assert short_key.status_code == 422 and "Idempotency-Key" in short_key.text


async def test_broken_requests_get_a_4xx_naming_the_field(cases: RunningService) -> None:
    headers = cases.keys.headers("caseworker", regions=["lima_callao"])
    await asyncio.to_thread(check, cases.url, headers)


async def test_openapi_has_an_example_for_every_request_body(cases: RunningService) -> None:
    async with httpx.AsyncClient(base_url=cases.url) as client:
        spec = (await client.get("/openapi.json")).json()
    bodies = []
    ours = {model.__name__ for _, model in ROUTES}
    for path, operations in spec["paths"].items():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {})
            for media in content.values():
                ref = media["schema"]["$ref"].rsplit("/", 1)[-1]
                schema = spec["components"]["schemas"][ref]
                if ref in ours:  # other routers (e.g. break-glass) belong to other packages
                    assert schema.get("examples"), (path, ref)
                bodies.append(ref)
            assert operation.get("summary"), path
    assert ours <= set(bodies)


async def test_a_code_the_program_lacks_gets_a_422_naming_the_field_and_the_code(
    cases: RunningService,
) -> None:
    headers = {
        **cases.keys.headers("caseworker", regions=["lima_callao"]),
        "Idempotency-Key": str(uuid.uuid4()),
    }
    opening = {**_example(cr.OpenCaseRequest), "region": "cusco"}
    async with httpx.AsyncClient(base_url=cases.url, headers=headers) as client:
        answer = await client.post("/cases", json=opening)

    assert answer.status_code == 422
    (problem,) = answer.json()["detail"]
    assert problem["loc"] == ["body", "region"]
    assert "unknown territory code 'cusco'" in problem["msg"]
