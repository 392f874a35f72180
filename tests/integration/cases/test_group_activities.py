"""Group activities over real HTTP: recorded once with headcounts, by region, dated, audited."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.integration.cases.conftest import caseworker
from tests.support.audit import audit_fetch
from tests.support.services import RunningService

pytestmark = pytest.mark.integration
NOW = datetime.now(UTC)


def activity(**changes: Any) -> dict[str, Any]:
    return {
        "kind": "health_campaign",
        "region": "lima_callao",
        "headcounts": [
            {"sex": "woman", "age_group": "adults", "count": 30},
            {"sex": "man", "age_group": "older_adults", "count": 7},
            {"sex": "non_binary", "age_group": "youth", "count": 0},
        ],
        "held_at": (NOW - timedelta(hours=3)).isoformat(),
        **changes,
    }


async def test_an_activity_is_recorded_once_with_its_headcounts_and_audited(
    cases: RunningService,
) -> None:
    client, pool = caseworker(cases), cases.app.state.pool
    key = {"Idempotency-Key": str(uuid.uuid4())}

    answer = await client.post("/group-activities", json=activity(), headers=key)
    again = await client.post("/group-activities", json=activity(), headers=key)

    assert answer.status_code == 201, answer.text
    assert answer.json()["total"] == 37
    assert again.json() == answer.json() and again.headers["Idempotent-Replayed"] == "true"
    activity_id = answer.json()["activity_id"]
    data = await pool.fetchval(
        "SELECT data FROM events WHERE event_type = 'group_activity.recorded' AND stream_id = $1",
        activity_id,
    )
    assert sorted(cell["count"] for cell in data["headcounts"]) == [0, 7, 30]
    assert not {"participant_id", "case_id"} & set(data)
    audited = await audit_fetch(
        pool, "SELECT action FROM audit_log WHERE resource_id = $1", activity_id
    )
    assert [r["action"] for r in audited] == ["group_activity.record"]
    twice = await client.post("/group-activities", json=activity(activity_id=activity_id))
    assert (
        twice.status_code == 409 and twice.json()["detail"]["rule"] == "activity_already_recorded"
    )


async def test_refusals_name_their_rule(cases: RunningService) -> None:
    client = caseworker(cases)

    elsewhere = await caseworker(cases, "tumbes").post("/group-activities", json=activity())
    unknown = await client.post("/group-activities", json=activity(kind="karaoke"))
    nobody = await client.post(
        "/group-activities",
        json=activity(headcounts=[{"sex": "woman", "age_group": "youth", "count": 0}]),
    )
    future = await client.post(
        "/group-activities", json=activity(held_at=(NOW + timedelta(days=1)).isoformat())
    )
    late = activity(held_at=(NOW - timedelta(days=30)).isoformat())
    by_caseworker = await client.post("/group-activities", json=late)
    by_supervisor = await cases.client("supervisor", regions=["lima_callao"]).post(
        "/group-activities", json=late
    )

    assert elsewhere.status_code == 403
    assert unknown.status_code == 422 and "karaoke" in unknown.text
    assert nobody.status_code == 422 and "at least 1" in nobody.text
    assert future.json()["detail"]["rule"] == "held_in_future"
    assert by_caseworker.json()["detail"]["rule"] == "late_entry_needs_supervisor"
    assert by_supervisor.status_code == 201, by_supervisor.text
