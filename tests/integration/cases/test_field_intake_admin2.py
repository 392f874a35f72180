"""A services and an outreach submission naming the province (admin2), as Kobo pushes them to the
running cases service: applied with it in the events; a province outside the case's region waits
in review with the rule named."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.integration.cases.conftest import consent, register
from tests.integration.cases.test_field_intake import TUMBES, System, recorded, system

pytestmark = pytest.mark.integration
__all__ = ["system"]  # the module's running cases and indicators services


def _service(case_id: str, admin2: str) -> dict[str, Any]:
    now = datetime.now(UTC).isoformat()
    return {"start": now, "end": now, "case_id": case_id, "service_type": "dignity_kit",
            "case_region": TUMBES, "admin2": admin2, "meta/instanceID": f"uuid:{uuid.uuid4()}",
            "_submitted_by": "ana_tumbes", "_submission_time": now}  # fmt: skip


async def test_submissions_naming_a_province_are_applied_with_it(system: System) -> None:
    caseworker = system.cases.client("caseworker", regions=[TUMBES])
    person, _ = await register(caseworker, region=TUMBES)
    await consent(caseworker, person)
    opened = await caseworker.post("/cases", json={
        "participant_id": person, "case_type": "gbv_protection",
        "intake_channel": "admission_form", "region": TUMBES,
    })  # fmt: skip
    assert opened.status_code == 201, opened.text
    case_id = opened.json()["case_id"]

    services = system.kobo("pana_services")
    delivered = await services.post(
        "/field-submissions/kobo/pana_services", json=_service(case_id, "tumbes_zarumilla")
    )
    elsewhere = await services.post(
        "/field-submissions/kobo/pana_services", json=_service(case_id, "piura_paita")
    )
    listed = {**recorded("kobo_outreach.json"), "admin2": "tumbes_contralmirante_villar",
              "attendees": [{"attendees/participant_id": person}],
              "meta/instanceID": f"uuid:{uuid.uuid4()}"}  # fmt: skip
    reached = await system.kobo("pana_outreach").post(
        "/field-submissions/kobo/pana_outreach", json=listed
    )

    assert delivered.status_code == 201, delivered.text
    assert delivered.json()["status"] == "applied"
    assert reached.status_code == 201, reached.text
    assert reached.json()["status"] == "applied"
    assert elsewhere.status_code == 202, elsewhere.text
    assert elsewhere.json()["status"] == "review"
    assert elsewhere.json()["rule"] == "admin2_outside_region"
    stored = await system.cases.app.state.pool.fetch(
        "SELECT event_type, data->>'admin2' AS admin2 FROM events WHERE event_type IN"
        " ('service.delivered', 'message.reached') AND data->>'participant_id' = $1",
        person,
    )
    assert sorted((r["event_type"], r["admin2"]) for r in stored) == [
        ("message.reached", "tumbes_contralmirante_villar"),
        ("service.delivered", "tumbes_zarumilla"),
    ]
