"""The province of a delivery and a reach through the running cases service: stored in the event
when inside the region, a clear 422 when the program has no such province or it lies elsewhere."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.integration.cases.conftest import caseworker, consent, open_case, register
from tests.support.services import RunningService

pytestmark = pytest.mark.integration


async def test_a_province_is_stored_or_refused_with_a_clear_422(cases: RunningService) -> None:
    lima = caseworker(cases)
    pid, _ = await register(lima)
    await consent(lima, pid)
    case = await open_case(lima, pid)
    delivered = f"/cases/{case['case_id']}/services"

    named = await lima.post(delivered, json={"service_type": "dignity_kit", "admin2": "lima_lima"})
    plain = await lima.post(delivered, json={"service_type": "dignity_kit"})
    unknown = await lima.post(delivered, json={"service_type": "dignity_kit", "admin2": "atlantis"})
    elsewhere = await lima.post(
        delivered, json={"service_type": "dignity_kit", "admin2": "piura_paita"}
    )
    reach = {"topic": "health_services", "channel": "fair", "delivery_mode": "in_person",
             "region": "lima_callao", "reached_at": datetime.now(UTC).isoformat()}  # fmt: skip
    reached = await lima.post(
        f"/participants/{pid}/reaches", json={**reach, "admin2": "callao_callao"}
    )

    assert [named.status_code, plain.status_code, reached.status_code] == [201] * 3, reached.text
    assert unknown.status_code == 422
    (error,) = unknown.json()["detail"]
    assert error["loc"][-1] == "admin2" and "unknown admin2 code 'atlantis'" in error["msg"]
    assert elsewhere.status_code == 422
    assert "admin2_outside_region" in elsewhere.text
    stored = await cases.app.state.pool.fetch(
        "SELECT event_type, data->>'admin2' AS admin2 FROM events WHERE event_type IN"
        " ('service.delivered', 'message.reached') AND data->>'participant_id' = $1"
        " ORDER BY stream_version, event_type",
        pid,
    )
    assert sorted((r["event_type"], r["admin2"] or "") for r in stored) == [
        ("message.reached", "callao_callao"),
        ("service.delivered", ""),  # none given: null in the event
        ("service.delivered", "lima_lima"),
    ]


async def test_a_case_opening_s_province_is_stored_or_refused(cases: RunningService) -> None:
    lima = caseworker(cases)
    pid, _ = await register(lima)
    await consent(lima, pid)
    body = {"participant_id": pid, "case_type": "gbv_protection",
            "intake_channel": "admission_form", "region": "lima_callao"}  # fmt: skip

    elsewhere = await lima.post("/cases", json={**body, "admin2": "tumbes_zarumilla"})
    unknown = await lima.post("/cases", json={**body, "admin2": "atlantis"})
    opened = await lima.post("/cases", json={**body, "admin2": "lima_huaral"})

    assert opened.status_code == 201, opened.text
    assert elsewhere.status_code == 422
    assert elsewhere.json()["detail"]["rule"] == "admin2_outside_region"
    assert unknown.status_code == 422
    (error,) = unknown.json()["detail"]
    assert error["loc"][-1] == "admin2" and "unknown admin2 code 'atlantis'" in error["msg"]
    stored = await cases.app.state.pool.fetch(
        "SELECT data->>'admin2' AS admin2 FROM events WHERE event_type = 'case.opened'"
        " AND data->>'participant_id' = $1",
        pid,
    )
    assert [r["admin2"] for r in stored] == ["lima_huaral"]
