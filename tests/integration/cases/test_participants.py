"""People over real HTTP: register, find, read (audited), correct, merge, erase (shredding)."""

from __future__ import annotations

import uuid

import pytest

from tests.integration.cases.conftest import caseworker, register
from tests.support.audit import audit_count, audit_fetch
from tests.support.services import RunningService

pytestmark = pytest.mark.integration


async def _audited(cases: RunningService, action: str, resource_id: str) -> int:
    return int(
        await audit_count(
            cases.app.state.pool,
            # Refusals are audited too (issue 20), as `denied`: these counts are of acts done.
            "SELECT count(*) FROM audit_log WHERE action = $1 AND resource_id = $2"
            " AND outcome <> 'denied'",
            action,
            resource_id,
        )
    )


async def test_register_find_by_normalized_numbers_and_read_personal_data_audited(
    cases: RunningService,
) -> None:
    client = caseworker(cases)
    participant_id, body = await register(client)
    digits = body["document_number"].replace("V-", "v")
    found = await client.post("/participants/search", json={"document_number": digits})
    assert found.status_code == 200, found.text
    [match] = found.json()["matches"]
    assert match == {
        "participant_id": participant_id,
        "region": "lima_callao",
        "match": "normalized",
        "merged_into": None,
    }
    assert body["given_names"] not in found.text
    exact = await client.post("/participants/search", json={"phone": body["phone"]})
    assert exact.json()["matches"][0]["match"] == "exact"

    read = await client.get(f"/participants/{participant_id}")
    assert read.status_code == 200, read.text
    assert read.json()["personal"]["given_names"] == body["given_names"]
    assert read.json()["personal"]["vulnerabilities"] == "survivor_of_violence"
    assert await _audited(cases, "participant.read_personal", participant_id) == 1
    stored = await cases.app.state.pool.fetchval(
        "SELECT personal::text FROM participants WHERE participant_id = $1::uuid", participant_id
    )
    assert body["given_names"] not in stored and body["document_number"] not in stored

    again, _ = await register(client, document_number=body["document_number"])
    duplicate = await client.get(f"/participants/{again}")
    assert duplicate.status_code == 200


async def test_a_second_registration_reports_the_possible_duplicate(cases: RunningService) -> None:
    client = caseworker(cases)
    first, body = await register(client)
    answer = await client.post("/participants", json={**body, "given_names": "Otra"})
    assert answer.status_code == 201
    assert answer.json()["possible_duplicates"] == [first]


async def test_other_regions_cannot_read_personal_data(cases: RunningService) -> None:
    participant_id, _ = await register(caseworker(cases))
    other = caseworker(cases, region="piura")
    assert (await other.get(f"/participants/{participant_id}")).status_code == 403


async def test_correct_personal_and_coarse_fields(cases: RunningService) -> None:
    client = caseworker(cases)
    participant_id, body = await register(client)
    answer = await client.post(
        f"/participants/{participant_id}/corrections",
        json={"reason": "document_verified", "birth_date": "1994-05-02", "phone": "987000111"},
        headers={"If-Match": '"1"'},
    )
    assert answer.status_code == 200, answer.text
    read = (await client.get(f"/participants/{participant_id}")).json()
    assert read["birth_year_month"] == "1994-05"
    assert read["personal"]["phone"] == "987000111"
    assert read["version"] == 2
    found = await client.post("/participants/search", json={"phone": "+51 987 000 111"})
    assert [m["participant_id"] for m in found.json()["matches"]] == [participant_id]
    old = await client.post("/participants/search", json={"phone": body["phone"]})
    assert old.json()["matches"] == []
    stale = await client.post(
        f"/participants/{participant_id}/corrections",
        json={"reason": "data_entry_error", "sex": "non_binary"},
        headers={"If-Match": '"1"'},
    )
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2


async def test_merge_redirects_commands_and_shows_one_timeline(cases: RunningService) -> None:
    client = caseworker(cases)
    survivor, _ = await register(client)
    duplicate, _ = await register(client)
    merged = await client.post(
        f"/participants/{duplicate}/merge",
        json={"into_participant_id": survivor, "reason": "duplicate_registration"},
    )
    assert merged.status_code == 200, merged.text
    again = await client.post(
        f"/participants/{duplicate}/merge",
        json={"into_participant_id": survivor, "reason": "duplicate_registration"},
    )
    assert again.status_code == 409
    assert again.json()["detail"]["rule"] == "participant_merged"
    consent = await client.post(
        f"/participants/{duplicate}/consents", json={"purposes": ["services"]}
    )
    assert consent.json()["participant_id"] == survivor  # redirected to the surviving record
    timeline = (await client.get(f"/participants/{survivor}/timeline")).json()["events"]
    types = [e["type"] for e in timeline]
    assert types.count("participant.registered") == 2
    assert "participant.merged" in types and "consent.given" in types


async def test_erasure_shreds_personal_data_and_keeps_events(cases: RunningService) -> None:
    client = caseworker(cases)
    participant_id, body = await register(client)
    supervisor = cases.client("supervisor", regions=["lima_callao"])
    assert (
        await client.post(
            f"/participants/{participant_id}/erasure", json={"basis": "participant_request"}
        )
    ).status_code == 403
    erased = await supervisor.post(
        f"/participants/{participant_id}/erasure", json={"basis": "participant_request"}
    )
    assert erased.status_code == 200, erased.text
    read = (await client.get(f"/participants/{participant_id}")).json()
    assert read["personal"] is None and read["erased_at"] is not None
    found = await client.post(
        "/participants/search", json={"document_number": body["document_number"]}
    )
    assert found.json()["matches"] == []
    pool = cases.app.state.pool
    assert await pool.fetchval(
        "SELECT wrapped_key IS NULL FROM participant_keys WHERE participant_id = $1", participant_id
    )
    types = await pool.fetch(
        "SELECT event_type FROM events WHERE stream_id = $1 ORDER BY stream_version",
        participant_id,
    )  # the registration is kept, and the erasure is announced (with no personal data)
    assert [t["event_type"] for t in types] == ["participant.registered", "participant.erased"]
    assert erased.json()["position"]
    assert await _audited(cases, "participant.erase", participant_id) == 1
    denied = await audit_count(
        pool,
        "SELECT count(*) FROM audit_log WHERE action = 'participant.erase' AND outcome = 'denied'"
        " AND resource_type = 'participant' AND resource_id = $1 AND actor_role = 'caseworker'",
        participant_id,
    )
    assert denied == 1  # the caseworker's refused attempt


async def test_break_glass_reads_are_audited_with_the_grant_and_lookups_too(
    cases: RunningService,
) -> None:
    participant_id, body = await register(caseworker(cases, "piura"), region="piura")
    # Issue 20: grants are opened through the API (a token's break_glass claim grants nothing).
    supervisor = cases.client("supervisor", regions=["tumbes"])
    opened = await supervisor.post("/break-glass", json={
        "region": "piura", "reason": "Covering the Piura team during tonight's emergency intake",
    })  # fmt: skip
    assert opened.status_code == 201, opened.text
    grant_id = opened.json()["grant_id"]
    assert (await supervisor.get(f"/participants/{participant_id}")).status_code == 200
    assert (await supervisor.get(f"/participants/{participant_id}/timeline")).status_code == 200
    purposes = await audit_fetch(
        cases.app.state.pool,
        "SELECT action, purpose FROM audit_log"
        " WHERE resource_id = $1 AND actor_role = 'supervisor'",
        participant_id,
    )
    assert {(r["action"], r["purpose"]) for r in purposes} == {
        ("participant.read_personal", grant_id),
        ("participant.timeline", grant_id),
    }
    await caseworker(cases).post("/participants/search", json={"phone": body["phone"]})
    assert await _audited(cases, "participant.search", "phone") >= 1


async def test_participant_and_event_ids_are_time_ordered(cases: RunningService) -> None:
    """UUIDv7 (eventkit.ids): later records get larger ids, so index inserts stay local."""
    client = caseworker(cases)
    first, _ = await register(client)
    second, _ = await register(client)
    assert uuid.UUID(first).version == uuid.UUID(second).version == 7
    assert uuid.UUID(first) < uuid.UUID(second)
    event_ids = await cases.app.state.pool.fetchval(
        "SELECT array_agg(event_id ORDER BY position) FROM events"
        " WHERE stream_id LIKE '%' || $1 OR stream_id LIKE '%' || $2",
        first,
        second,
    )
    assert len(event_ids) >= 2
    assert all(e.version == 7 for e in event_ids) and event_ids == sorted(event_ids)
