"""Field submissions as Kobo pushes them and ODK Central serves them, applied as the API's own
commands, once, on the real PostgreSQL and Kafka, counted by the real indicators service.

Recorded submissions: `field_submissions/` (built from the servers' documentation). ODK Central
is a small local HTTP server serving the recorded pages (a recorded external API).
"""

from __future__ import annotations

import contextlib
import copy
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from pydantic import SecretStr
from pyxform.xls2xform import convert

from access.actors import actor_id
from access.principal import Principal, Role
from eventkit import field_time
from eventkit.positions import wait_for_events
from services.cases.field_forms.intake_api import XLSX
from services.cases.field_forms.settings import Central, FieldFormsSettings
from tests.support.counting import serve_cases_and_indicators
from tests.support.infrastructure import KafkaEndpoint, PostgresEndpoint
from tests.support.peru import Region
from tests.support.services import Keys, RunningService, serve, service_environment

pytestmark = pytest.mark.integration
RECORDED = Path(__file__).parent / "field_submissions"
TUMBES = "tumbes"
TOKEN = "s3cret-" + "x" * 30
ENUMERATOR = {"subject": "ana", "organization_id": "ngo", "regions": [TUMBES]}
ANA = Principal("ana", "ngo", Role.CASEWORKER, frozenset({Region.TUMBES}))

# Registered people straight into the store, published like any registration (an outbox row
# each): registering hundreds over HTTP would only measure registration.
_SEED = """
WITH people AS (SELECT gen_random_uuid() AS id FROM generate_series(1, $1)),
s AS (INSERT INTO streams SELECT id::text, 1 FROM people),
e AS (INSERT INTO events (event_id, stream_id, stream_version, event_type, schema_version, data,
                          occurred_at)
      SELECT gen_random_uuid(), id::text, 1, 'participant.registered', 1,
             jsonb_build_object('participant_id', id, 'sex', 'man', 'birth_year_month', '1990-01',
                                'birth_date_estimated', false, 'nationality', 'VEN',
                                'region', 'tumbes', 'registered_by', id,
                                'registered_at', '2022-06-01T00:00:00Z'), now() FROM people
      RETURNING position),
o AS (INSERT INTO outbox (position) SELECT position FROM e)
INSERT INTO participants (participant_id, region, sex, birth_year_month, nationality,
                          registered_at, version)
SELECT id, 'tumbes', 'man', '1990-01', 'VEN', now(), 1 FROM people RETURNING participant_id
"""


AUDITS = "SELECT (SELECT count(*) FROM audit_log) + (SELECT count(*) FROM audit_inbox)"


def recorded(name: str) -> Any:
    return json.loads((RECORDED / name).read_text())


@dataclass
class System:
    cases: RunningService
    indicators: RunningService

    def kobo(self, form_id: str) -> httpx.AsyncClient:
        """Kobo's REST service for a form: no bearer token, the form's secret."""
        client = httpx.AsyncClient(
            base_url=self.cases.url, timeout=60, headers={"Pana-Form-Token": TOKEN}
        )
        self.cases.clients.append(client)
        return client

    async def count(self, sql: str, *args: Any) -> int:
        return int(await self.cases.app.state.pool.fetchval(sql, *args))


@pytest.fixture(scope="module")
async def system(
    postgres: PostgresEndpoint, kafka: KafkaEndpoint, keys: Keys
) -> AsyncIterator[System]:
    with service_environment(keys) as env:
        # The recorded submissions were filled in in March 2023: on-time entries for this test
        # (late entries go to review as a refused rule; tests/integration/across/test_field_dates).
        env.setenv("PANA_FIELD_TIME_LATE_AFTER_DAYS", "3650")
        field_time.configured.cache_clear()
        async with contextlib.AsyncExitStack() as stack:
            cases, indicators = await serve_cases_and_indicators(
                stack,
                postgres,
                kafka,
                keys,
                "field",
                consumer_prefix=f"indicators.field-{uuid.uuid4().hex[:6]}",
            )
            cases.app.state.field_forms = FieldFormsSettings(
                forms={f: {"token": TOKEN} for f in ("pana_registration", "pana_outreach",
                                                      "pana_services", "pana_group_activity")},
                enumerators={"kobo:ana_tumbes": ENUMERATOR, "odk_central:41": ENUMERATOR},
            )  # fmt: skip
            yield System(cases, indicators)
    field_time.configured.cache_clear()  # the next module's services read the defaults


async def _reached(system: System, events: list[str]) -> tuple[int, int]:
    """OE2.5 (people reached by a health-services message) once `events` were counted (the
    partitions are applied in no common order, so every one is awaited): all, and women (the
    one registered by the form; the others were seeded as men)."""
    prefix = system.indicators.app.state.settings.consumer_prefix
    consumer = f"{prefix}.pana_peru_y2_v1"
    await wait_for_events(system.indicators.app.state.pool, consumer, events, within=60)
    viewer = system.indicators.client("me_officer")
    answer = await viewer.get("/indicators/OE2.5", params={"view": "exact"})
    assert answer.status_code == 200, answer.text
    indicator = answer.json()["indicator"]
    return int(indicator["value"]), int(indicator["sex_age"]["woman"]["total"])


async def test_a_day_of_outreach_and_a_registration_with_consent_count_once(
    system: System,
) -> None:
    registration = recorded("kobo_registration.json")
    first = await system.kobo("pana_registration").post(
        "/field-submissions/kobo/pana_registration", json=registration
    )
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "applied"
    person = first.json()["applied"]["participant_id"]
    assert first.json()["applied"]["consent_id"]
    registered = await system.cases.app.state.pool.fetchrow(
        "SELECT data FROM events WHERE stream_id = $1 AND event_type = 'participant.registered'",
        person,
    )
    # Attributed to the enumerator's platform principal; only coarse attributes in the event.
    assert registered["data"]["registered_by"] == str(actor_id(ANA))
    assert registered["data"]["region"] == TUMBES and registered["data"]["sex"] == "woman"
    assert "Colmenares" not in json.dumps(registered["data"])

    pool = system.cases.app.state.pool
    seeded = [str(r["participant_id"]) for r in await pool.fetch(_SEED, 499)]
    outreach = recorded("kobo_outreach.json")
    outreach["attendees"] = [{"attendees/participant_id": p} for p in [person, *seeded]]
    day = await system.kobo("pana_outreach").post(
        "/field-submissions/kobo/pana_outreach", json=outreach
    )
    assert day.status_code == 201, day.text
    assert day.json()["applied"]["reached"] == 500
    counted = [
        first.json()["applied"]["position"],
        *(r["event_id"] for r in day.json()["applied"]["reaches"]),
    ]
    reached_at = await pool.fetchval(
        "SELECT data->>'reached_at' FROM events WHERE event_type = 'message.reached'"
        " AND stream_id = $1",
        person,
    )
    assert reached_at.startswith("2023-03-15T22:45:58")  # when the list was filled in (`end`)
    assert await _reached(system, counted) == (500, 1)

    events = await system.count("SELECT count(*) FROM events")
    audits = await system.count(AUDITS)
    for form_id, payload, answered in (
        ("pana_registration", registration, first),
        ("pana_outreach", outreach, day),
    ):
        again = await system.kobo(form_id).post(f"/field-submissions/kobo/{form_id}", json=payload)
        assert again.status_code == 200, again.text  # Kobo's retry: the first outcome
        assert again.json() == answered.json()
    assert await system.count("SELECT count(*) FROM events") == events
    assert await system.count(AUDITS) == audits
    consents = await system.count(
        "SELECT count(*) FROM events WHERE event_type = 'consent.given' AND stream_id = $1", person
    )
    assert consents == 1
    assert await _reached(system, counted) == (500, 1)


async def test_supervisors_download_the_forms_as_xlsform(system: System) -> None:
    supervisor = system.cases.client("supervisor", regions=[TUMBES])
    listed = (await supervisor.get("/field-forms")).json()["forms"]
    assert [f["form_id"] for f in listed] == [
        "pana_registration", "pana_services", "pana_outreach", "pana_livelihood",
        "pana_group_activity",
    ]  # fmt: skip
    form = await supervisor.get(listed[2]["href"])
    assert form.status_code == 200 and form.headers["content-type"].startswith(XLSX)
    xform = convert(form.content, form_name="pana_outreach").xform
    assert f'version="{listed[2]["version"]}"' in xform
    assert (await supervisor.get("/field-forms/headcounts.xlsx")).status_code == 404
    assert (await system.cases.client("viewer").get("/field-forms")).status_code == 403


async def test_the_sender_is_authenticated_by_the_form_s_secret(system: System) -> None:
    payload = recorded("kobo_registration.json")
    url = "/field-submissions/kobo/pana_registration"
    async with httpx.AsyncClient(base_url=system.cases.url) as anyone:
        for headers in ({}, {"Pana-Form-Token": TOKEN[:-1] + "y"}):
            refused = await anyone.post(url, json=payload, headers=headers)
            assert refused.status_code == 401
        other_form = await anyone.post(
            "/field-submissions/kobo/pana_livelihood", json=payload,
            headers={"Pana-Form-Token": TOKEN},
        )  # fmt: skip
        assert other_form.status_code == 401  # a form with no secret configured takes nothing
    stranger = {**payload, "_submitted_by": "someone_else", "meta/instanceID": "uuid:x-1"}
    unmapped = await system.kobo("pana_registration").post(url, json=stranger)
    assert unmapped.json()["detail"]["rule"] == "enumerator_unknown"


async def test_a_bad_submission_waits_in_review_and_is_applied_after_correction(
    system: System, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    bad = recorded("kobo_registration_unknown_region.json")
    instance = bad["meta/instanceID"]
    events = await system.count("SELECT count(*) FROM events")
    kept = await system.kobo("pana_registration").post(
        "/field-submissions/kobo/pana_registration", json=bad
    )
    assert kept.status_code == 202, kept.text
    assert kept.json()["status"] == "review" and kept.json()["rule"] == "invalid_answer"
    assert kept.json()["reason"].startswith("region: ")
    assert await system.count("SELECT count(*) FROM events") == events
    stored = await system.cases.app.state.pool.fetchval(
        "SELECT row_to_json(f)::text FROM field_submissions f WHERE instance_id = $1", instance
    )
    assert "Wilmer" not in stored and "Pacheco" not in stored  # sealed at rest

    caseworker = system.cases.client("caseworker", regions=[TUMBES])
    assert (await caseworker.get("/field-submissions/review")).status_code == 403
    elsewhere = system.cases.client("supervisor", regions=["piura"])
    assert (await elsewhere.get(f"/field-submissions/{instance}")).status_code == 403
    supervisor = system.cases.client("supervisor", regions=[TUMBES])
    waiting = (await supervisor.get("/field-submissions/review")).json()["submissions"]
    assert [w["instance_id"] for w in waiting] == [instance]
    opened = (await supervisor.get(f"/field-submissions/{instance}")).json()
    assert opened["answers"]["given_names"] == "Wilmer José"

    still_bad = await supervisor.post(
        f"/field-submissions/{instance}/application", json={"answers": {"region": "lima"}}
    )
    assert still_bad.status_code == 422 and still_bad.json()["detail"]["rule"] == "invalid_answer"
    applied = await supervisor.post(
        f"/field-submissions/{instance}/application", json={"answers": {"region": TUMBES}}
    )
    assert applied.status_code == 200, applied.text
    person = applied.json()["applied"]["participant_id"]
    assert (
        await system.count(
            "SELECT count(*) FROM events WHERE stream_id = $1"
            " AND event_type IN ('participant.registered', 'consent.given')",
            person,
        )
        == 2
    )
    shredded = await system.cases.app.state.pool.fetchrow(
        "SELECT f.sealed, k.destroyed_at FROM field_submissions f"
        " JOIN participant_keys k ON k.participant_id = 'field_submission:' || f.instance_id"
        " WHERE f.instance_id = $1",
        instance,
    )
    assert shredded["sealed"] is None and shredded["destroyed_at"] is not None
    assert (await supervisor.get("/field-submissions/review")).json()["submissions"] == []

    resent = await system.kobo("pana_registration").post(
        "/field-submissions/kobo/pana_registration", json=bad
    )
    assert resent.status_code == 200 and resent.json()["status"] == "applied"
    assert resent.json()["applied"]["participant_id"] == person  # nothing registered twice
    logged = capsys.readouterr()
    assert "/field-submissions/" in logged.out + caplog.text  # the service's logs are here
    for name in ("Wilmer", "Pacheco"):  # personal data never reaches the logs
        assert name not in logged.out + logged.err + caplog.text


async def test_a_submission_naming_no_known_case_is_discarded_with_its_reason(
    system: System,
) -> None:
    service = {
        "start": "2023-03-20T09:00:00.000-05:00", "end": "2023-03-20T09:03:00.000-05:00",
        "case_id": str(uuid.uuid4()), "service_type": "lodging", "quantity": "2",
        "cost": "120", "meta/instanceID": f"uuid:{uuid.uuid4()}", "_submitted_by": "ana_tumbes",
        "_submission_time": "2023-03-20T14:05:00",
    }  # fmt: skip
    kept = await system.kobo("pana_services").post(
        "/field-submissions/kobo/pana_services", json=service
    )
    assert kept.status_code == 202 and kept.json()["rule"] == "case_not_found"
    supervisor = system.cases.client("supervisor", regions=[TUMBES])
    instance = service["meta/instanceID"]
    dropped = await supervisor.post(
        f"/field-submissions/{instance}/discarding", json={"reason": "duplicate"}
    )
    assert dropped.status_code == 200 and dropped.json()["status"] == "discarded"
    twice = await supervisor.post(
        f"/field-submissions/{instance}/discarding", json={"reason": "duplicate"}
    )
    assert twice.status_code == 409
    elsewhere = {**recorded("kobo_outreach.json"), "region": "piura"}
    elsewhere["meta/instanceID"] = f"uuid:{uuid.uuid4()}"
    refused = await system.kobo("pana_outreach").post(
        "/field-submissions/kobo/pana_outreach", json=elsewhere
    )
    assert refused.status_code == 202 and refused.json()["rule"] == "forbidden"  # not her region
    audited = await system.count(
        "SELECT count(*) FROM (SELECT action, resource_id FROM audit_log UNION ALL"
        " SELECT action, resource_id FROM audit_inbox) a"
        " WHERE action = 'field_submission.discard' AND resource_id = $1",
        instance,
    )
    assert audited == 1


def _central(pages: dict[str, list[dict[str, Any]]], asked: list[httpx.QueryParams]) -> FastAPI:
    """ODK Central's OData feed, serving recorded pages (`$skiptoken` picks the next one)."""
    app = FastAPI()

    @app.get("/readyz")
    async def ready() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/v1/projects/3/forms/{form_id}.svc/Submissions")
    async def submissions(form_id: str, request: Request) -> Any:
        assert request.headers["authorization"] == "Bearer central-token"
        asked.append(httpx.QueryParams(str(request.query_params)))
        page = pages[form_id][1 if "$skiptoken" in request.query_params else 0]
        here = str(request.base_url).rstrip("/")
        return json.loads(json.dumps(page).replace("https://central.example.org", here))

    return app


async def test_submissions_pulled_from_odk_central_are_applied_once(
    system: System, keys: Keys
) -> None:
    cw = system.cases.client("caseworker", regions=[TUMBES])
    registered = await cw.post("/participants", json={
        "given_names": "Rosa", "family_names": "Prueba", "sex": "woman",
        "birth_date": "1991-02-01", "nationality": "VEN", "region": TUMBES,
        "occurred_at": "2022-12-01T15:00:00Z",  # before the enrolment and the forms below
    })  # fmt: skip
    person = registered.json()["participant_id"]
    for path, body in (
        ("consents", {"purposes": ["services", "monitoring_evaluation"],
                      "occurred_at": "2022-12-01T15:05:00Z"}),
        ("livelihoods/enrolments", {"program": "despega_tus_suenos",
                                    "enrolled_at": "2023-01-10T12:00:00Z"}),
    ):  # fmt: skip
        done = await cw.post(f"/participants/{person}/{path}", json=body)
        assert done.status_code == 201, done.text
    outreach = recorded("odk_central_outreach.json")
    outreach["value"][0]["attendees"][0]["participant_id"] = person
    stranger = copy.deepcopy(outreach["value"][0])  # from a tablet no one mapped yet
    stranger["__id"] = stranger["meta"]["instanceID"] = f"uuid:{uuid.uuid4()}"
    stranger["__system"].update(submitterId="99", submissionDate="2023-03-16T21:50:00.000Z")
    outreach["value"].append(stranger)
    last = copy.deepcopy(outreach)
    last["value"], _ = [], last.pop("@odata.nextLink")
    livelihood = recorded("odk_central_livelihood.json")
    livelihood["value"][0]["participant_id"] = person
    empty = {"@odata.context": "", "value": []}
    pages = {"pana_outreach": [outreach, last], "pana_livelihood": [livelihood],
             "pana_registration": [empty], "pana_services": [empty]}  # fmt: skip
    asked: list[httpx.QueryParams] = []
    async with serve(lambda: _central(pages, asked), keys) as central:
        odk = Central(url=central.url, project_id=3, token=SecretStr("central-token"))
        field = system.cases.app.state.field_forms
        system.cases.app.state.field_forms = field.model_copy(update={"central": odk})
        supervisor = system.cases.client("supervisor", regions=[TUMBES])
        first = await supervisor.post("/field-submissions/odk-central/pull")
        assert first.status_code == 200, first.text
        assert first.json()["pulled"] == {"applied": 2, "unmapped": 1}
        assert any("$skiptoken" in q for q in asked)  # the next page was followed
        assert all(q["$expand"] == "*" for q in asked)
        again = await supervisor.post("/field-submissions/odk-central/pull")
        # The cursor stays before the unmapped one (the recorded server ignores $filter).
        assert again.json()["pulled"] == {"known": 2, "unmapped": 1}
        cursor = "__system/submissionDate gt 2023-03-16T21:49:59.999Z"
        assert any(q.get("$filter") == cursor for q in asked)
        mapped = {**system.cases.app.state.field_forms.enumerators, "odk_central:99": ENUMERATOR}
        system.cases.app.state.field_forms = FieldFormsSettings(
            forms=system.cases.app.state.field_forms.forms, enumerators=mapped, central=odk
        )
        last_pull = await supervisor.post("/field-submissions/odk-central/pull")
        assert last_pull.json()["pulled"] == {"known": 2, "applied": 1}  # not lost once mapped
    assert (
        await system.count(
            "SELECT count(*) FROM events WHERE stream_id = $1"
            " AND event_type IN ('message.reached', 'livelihood.outcome_recorded')",
            person,
        )
        == 3
    )


async def test_a_group_activity_s_headcounts_reach_the_indirect_figure_once(
    system: System,
) -> None:
    activity = recorded("kobo_group_activity.json")
    url = "/field-submissions/kobo/pana_group_activity"
    first = await system.kobo("pana_group_activity").post(url, json=activity)
    assert first.status_code == 201, first.text
    applied = first.json()["applied"]
    assert applied["total"] == 163
    data = await system.cases.app.state.pool.fetchval(
        "SELECT data FROM events WHERE event_type = 'group_activity.recorded' AND stream_id = $1",
        applied["activity_id"],
    )
    assert data["recorded_by"] == str(actor_id(ANA)) and data["region"] == TUMBES
    assert data["held_at"].startswith("2023-03-18T17:31:07")  # when it was filled in (`end`)
    assert len(data["headcounts"]) == 14  # the cells of zero are left out

    events = await system.count("SELECT count(*) FROM events")
    again = await system.kobo("pana_group_activity").post(url, json=activity)
    assert again.status_code == 200 and again.json() == first.json()
    assert await system.count("SELECT count(*) FROM events") == events

    prefix = system.indicators.app.state.settings.consumer_prefix
    pool = system.indicators.app.state.pool
    await wait_for_events(pool, f"{prefix}.pana_peru_y2_v1", [applied["position"]], within=60)
    viewer = system.indicators.client("me_officer")
    answer = (await viewer.get("/attainment", params={"view": "exact", "region": TUMBES})).json()
    indirect = answer["indirect"]
    assert indirect["value"] == 163 and indirect["by_kind"]["health_campaign"] == 163
    assert indirect["sex_age"]["woman"]["youth"] == 31
    assert indirect["sex_age"]["non_binary"]["total"] == 3
    months = {m["month"]: m["new"] for m in indirect["months"]}
    assert months["2023-03"] == 163
