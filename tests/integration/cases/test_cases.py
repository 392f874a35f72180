"""Cases over real HTTP: consent gate, life cycle, services, lodging, notes, complaints, queries."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from tests.integration.cases.conftest import caseworker, consent, open_case, register
from tests.support.audit import audit_fetch
from tests.support.services import RunningService

pytestmark = pytest.mark.integration


async def test_a_case_needs_consent_for_services_and_refusal_names_it(
    cases: RunningService,
) -> None:
    client = caseworker(cases)
    participant_id, _ = await register(client)
    body = {
        "participant_id": participant_id,
        "case_type": "health",
        "intake_channel": "hotline",
        "region": "lima_callao",
    }
    refused = await client.post("/cases", json=body)
    assert refused.status_code == 409
    assert refused.json()["detail"]["rule"] == "consent_missing"
    assert "'services'" in refused.json()["detail"]["message"]
    consent_id = await consent(client, participant_id, "services")
    assert (await client.post("/cases", json=body)).status_code == 201
    withdrawn = await client.post(
        f"/participants/{participant_id}/consents/{consent_id}/withdrawal", json={}
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert (await client.post("/cases", json=body)).status_code == 409
    listed = (await client.get(f"/participants/{participant_id}/consents")).json()["consents"]
    assert listed[0]["standing"] == [] and listed[0]["withdrawals"][0]["purposes"] == ["services"]
    sharing = await client.post(
        f"/participants/{participant_id}/consents",
        json={"purposes": ["referral_sharing"], "destinations": ["CEM", "CSMC"]},
    )
    assert sharing.status_code == 201, sharing.text
    listed = (await client.get(f"/participants/{participant_id}/consents")).json()["consents"]
    assert listed[1]["destinations"] == ["CEM", "CSMC"]


async def test_life_cycle_closed_case_refuses_services_until_reopened(
    cases: RunningService,
) -> None:
    client = caseworker(cases)
    participant_id, _ = await register(client)
    await consent(client, participant_id)
    case = await open_case(client, participant_id, "in_transit")
    path = f"/cases/{case['case_id']}"
    kit = {"service_type": "kit_caminante"}
    assert (await client.post(f"{path}/services", json=kit)).status_code == 201
    closed = await client.post(f"{path}/closure", json={"reason": "contact_lost"})
    assert closed.status_code == 200, closed.text
    refused = await client.post(f"{path}/services", json=kit)
    assert refused.status_code == 409 and refused.json()["detail"]["rule"] == "case_closed"
    other = await client.post(f"{path}/closure", json={"reason": "other"})
    assert other.json()["detail"]["rule"] == "case_already_closed"
    assert (
        await client.post(f"{path}/reopening", json={"reason": "contact_restored"})
    ).status_code == 200
    assert (await client.post(f"{path}/services", json=kit)).status_code == 201
    read = (await client.get(path)).json()
    assert read["status"] == "open" and read["version"] == 5


async def test_lodging_is_at_most_seven_nights_per_stay_and_amounts_are_pen(
    cases: RunningService,
) -> None:
    client = caseworker(cases)
    participant_id, _ = await register(client)
    await consent(client, participant_id)
    path = f"/cases/{(await open_case(client, participant_id))['case_id']}/services"
    # Touching deliveries that form one longer stay are refused too (unit tests, deliver_service).
    now = datetime.now(UTC).isoformat()
    too_long = await client.post(path, json={"service_type": "lodging", "quantity": 8})
    assert too_long.status_code == 422, too_long.text
    assert too_long.json()["detail"]["rule"] == "lodging_exceeds_stay"
    stay = {"service_type": "lodging", "quantity": 3, "delivered_at": now}
    assert (await client.post(path, json=stay)).status_code == 201
    overlap = await client.post(path, json={**stay, "quantity": 1})
    assert overlap.json()["detail"]["rule"] == "lodging_nights_overlap"
    no_cost = await client.post(path, json={"service_type": "regularization_fee"})
    assert no_cost.json()["detail"]["rule"] == "cost_required"
    paid = {"service_type": "regularization_fee", "cost": "350.50"}
    assert (await client.post(path, json=paid)).status_code == 201
    dollars = await client.post(path, json={**paid, "currency": "USD"})
    assert dollars.status_code == 422 and "currency" in dollars.text
    stored = await cases.app.state.pool.fetchval(
        "SELECT data->>'cost' FROM events WHERE event_type = 'service.delivered'"
        " AND data->>'service_type' = 'regularization_fee' ORDER BY position DESC LIMIT 1"
    )
    assert stored == "350.50"


async def test_two_caseworkers_updating_one_case_one_gets_409_nothing_lost(
    cases: RunningService,
) -> None:
    first, second = caseworker(cases), caseworker(cases)
    participant_id, _ = await register(first)
    await consent(first, participant_id)
    case = await open_case(first, participant_id)
    path = f"/cases/{case['case_id']}"
    version = (await first.get(path)).headers["ETag"]
    other = "9b2e6f0c-8d1a-4f3e-b7c2-5a6d4e3f2a1b"
    reassign = first.post(
        f"{path}/reassignment",
        json={"caseworker_id": other, "region": "lima_callao", "reason": "workload_balancing"},
        headers={"If-Match": version},
    )
    close = second.post(
        f"{path}/closure", json={"reason": "needs_met"}, headers={"If-Match": version}
    )
    answers = await asyncio.gather(reassign, close)
    assert sorted(a.status_code for a in answers) == [200, 409]
    loser = next(a for a in answers if a.status_code == 409)
    assert loser.json()["current_version"] == 2
    # The loser re-reads and retries on the new version: both changes are kept.
    retry_version = f'"{loser.json()["current_version"]}"'
    if answers[0].status_code == 409:
        retry = await first.post(
            f"{path}/reassignment",
            json={"caseworker_id": other, "region": "lima_callao", "reason": "workload_balancing"},
            headers={"If-Match": retry_version},
        )
        assert retry.json()["detail"]["rule"] == "case_closed"  # the rule answers, not a race
    else:
        retry = await second.post(
            f"{path}/closure", json={"reason": "needs_met"}, headers={"If-Match": retry_version}
        )
        assert retry.status_code == 200
        read = (await first.get(path)).json()
        assert read["caseworker_id"] == other and read["status"] == "closed"


async def test_notes_are_encrypted_and_sensitive_reads_are_audited(cases: RunningService) -> None:
    client = caseworker(cases)
    participant_id, _ = await register(client)
    await consent(client, participant_id)
    case = await open_case(client, participant_id, "gbv_protection")
    path = f"/cases/{case['case_id']}"
    text = "Refiere amenazas del agresor; cita en CEM el lunes 8am"
    assert (await client.post(f"{path}/notes", json={"text": text})).status_code == 201
    notes = (await client.get(f"{path}/notes")).json()["notes"]
    assert notes[0]["text"] == text
    assert (await client.get(path)).status_code == 200
    pool = cases.app.state.pool
    assert text not in await pool.fetchval("SELECT string_agg(body, '') FROM case_notes")
    assert "amenazas" not in await pool.fetchval("SELECT string_agg(data::text, '') FROM events")
    audited = await audit_fetch(
        pool, "SELECT action FROM audit_log WHERE resource_id = $1", case["case_id"]
    )
    assert {"case.read_notes", "case.read_sensitive", "case.note"} <= {r["action"] for r in audited}
    assert (await caseworker(cases, "tumbes").get(f"{path}/notes")).status_code == 403


async def test_a_note_on_the_case_of_an_erased_participant_is_refused_by_name(
    cases: RunningService,
) -> None:
    client = caseworker(cases)
    participant_id, _ = await register(client)
    await consent(client, participant_id)
    case = await open_case(client, participant_id, "gbv_protection")
    supervisor = cases.client("supervisor", regions=["lima_callao"])
    erased = await supervisor.post(
        f"/participants/{participant_id}/erasure", json={"basis": "participant_request"}
    )
    assert erased.status_code == 200, erased.text
    note = await client.post(f"/cases/{case['case_id']}/notes", json={"text": "seguimiento"})
    assert note.status_code == 409, note.text
    assert note.json()["detail"]["rule"] == "participant_erased"
    pool = cases.app.state.pool
    assert (
        await pool.fetchval("SELECT count(*) FROM case_notes WHERE case_id = $1", case["case_id"])
        == 0
    )


async def test_legal_complaint_filed_then_taken_up_once_even_after_closure(
    cases: RunningService,
) -> None:
    client = caseworker(cases)
    participant_id, _ = await register(client)
    await consent(client, participant_id)
    path = f"/cases/{(await open_case(client, participant_id))['case_id']}"
    filed = await client.post(
        f"{path}/legal-complaints", json={"violation": "trafficking", "authority": "police"}
    )
    assert filed.status_code == 200, filed.text
    complaint = f"{path}/legal-complaints/{filed.json()['complaint_id']}/taken-up"
    await client.post(f"{path}/closure", json={"reason": "transferred"})
    assert (await client.post(complaint, json={"authority": "prosecutor"})).status_code == 200
    again = await client.post(complaint, json={"authority": "prosecutor"})
    assert again.json()["detail"]["rule"] == "complaint_already_taken_up"


async def test_cases_by_region_status_type_and_caseworker_paginated_sorted(
    cases: RunningService,
) -> None:
    client = caseworker(cases, "piura")
    participant_id, _ = await register(client, region="piura")
    await consent(client, participant_id)
    opened = []
    for case_type in ("health", "health", "mental_health"):
        answer = await client.post(
            "/cases",
            json={
                "participant_id": participant_id,
                "case_type": case_type,
                "intake_channel": "fair",
                "region": "piura",
            },
        )
        opened.append(answer.json())
    page = (
        await client.get("/cases", params={"case_type": "health", "limit": 1, "sort": "opened_at"})
    ).json()
    assert page["total"] == 2 and page["items"][0]["case_id"] == opened[0]["case_id"]
    second = (
        await client.get(
            "/cases", params={"case_type": "health", "limit": 1, "offset": 1, "sort": "opened_at"}
        )
    ).json()
    assert second["items"][0]["case_id"] == opened[1]["case_id"]
    mine = await client.get(
        "/cases", params={"caseworker_id": opened[0]["caseworker_id"], "status": "open"}
    )
    assert mine.json()["total"] == 3
    assert (await client.get("/cases", params={"region": "tumbes"})).status_code == 403
    assert (await client.get("/cases", params={"sort": "name"})).status_code == 422
