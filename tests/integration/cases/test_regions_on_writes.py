"""Regions hold on writes too: a command naming a person or a case checks the caller may act on
it and on the region it targets (issue 20, point 4), one test per write that went through."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from tests.integration.cases.conftest import caseworker, consent, open_case, register
from tests.support.services import RunningService

pytestmark = pytest.mark.integration
LIMA, PIURA = "lima_callao", "piura"


async def test_a_piura_caseworker_cannot_open_a_case_for_a_lima_participant(
    cases: RunningService,
) -> None:
    lima = caseworker(cases)
    pid, _ = await register(lima)
    await consent(lima, pid)
    gbv = {"participant_id": pid, "case_type": "gbv_protection", "intake_channel": "hotline"}
    refused = await caseworker(cases, PIURA).post("/cases", json={**gbv, "region": PIURA})
    assert refused.status_code == 403, refused.text
    assert "lima_callao" in refused.text
    assert (await lima.post("/cases", json={**gbv, "region": LIMA})).status_code == 201


async def test_a_merge_across_regions_needs_both_regions(cases: RunningService) -> None:
    lima, piura = caseworker(cases), caseworker(cases, PIURA)
    duplicate, _ = await register(lima)
    await consent(lima, duplicate)
    await open_case(lima, duplicate, "mental_health")
    survivor, _ = await register(piura, region=PIURA)
    merge = {"into_participant_id": survivor, "reason": "duplicate_registration"}
    refused = await lima.post(f"/participants/{duplicate}/merge", json=merge)
    assert refused.status_code == 403, refused.text
    # Nothing was joined: Piura still cannot read the Lima person's timeline (a mental-health case).
    assert (await piura.get(f"/participants/{duplicate}/timeline")).status_code == 403
    timeline = await lima.get(f"/participants/{duplicate}/timeline")
    assert "participant.merged" not in timeline.text
    both = cases.client("supervisor", regions=[LIMA, PIURA])
    merged = await both.post(f"/participants/{duplicate}/merge", json=merge)
    assert merged.status_code == 200, merged.text
    # The Lima id now redirects to Piura's record: Lima's team records nothing through it.
    consent_via_old_id = await lima.post(
        f"/participants/{duplicate}/consents", json={"purposes": ["services"]}
    )
    assert consent_via_old_id.status_code == 403, consent_via_old_id.text


async def test_a_case_moves_only_to_a_region_the_caller_holds(cases: RunningService) -> None:
    lima = caseworker(cases)
    pid, _ = await register(lima)
    await consent(lima, pid)
    case = await open_case(lima, pid)
    move = {"caseworker_id": str(uuid.uuid4()), "region": PIURA, "reason": "participant_moved"}
    refused = await lima.post(f"/cases/{case['case_id']}/reassignment", json=move)
    assert refused.status_code == 403, refused.text
    assert (await lima.get(f"/cases/{case['case_id']}")).json()["region"] == LIMA
    both = cases.client("supervisor", regions=[LIMA, PIURA])
    moved = await both.post(f"/cases/{case['case_id']}/reassignment", json=move)
    assert moved.status_code == 200, moved.text


async def test_outreach_is_recorded_only_on_the_callers_regions_people(
    cases: RunningService,
) -> None:
    lima, piura = caseworker(cases), caseworker(cases, PIURA)
    theirs, _ = await register(lima)
    ours, _ = await register(piura, region=PIURA)
    reach = {"topic": "health_services", "channel": "fair", "delivery_mode": "in_person",
             "region": PIURA, "reached_at": datetime.now(UTC).isoformat()}  # fmt: skip
    one = await piura.post(f"/participants/{theirs}/reaches", json=reach)
    assert one.status_code == 403, one.text
    bulk = await piura.post("/outreach", json={**reach, "participant_ids": [ours, theirs]})
    assert bulk.status_code == 403, bulk.text
    pool = cases.app.state.pool
    reached = await pool.fetchval(
        "SELECT count(*) FROM events WHERE event_type = 'message.reached'"
        " AND stream_id = ANY($1::text[])",
        [ours, theirs],
    )
    assert reached == 0  # all or nothing: not even the Piura person was recorded
    assert (
        await piura.post("/outreach", json={**reach, "participant_ids": [ours]})
    ).status_code == 201
