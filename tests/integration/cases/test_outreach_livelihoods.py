"""Outreach one by one and in bulk (all or nothing), and livelihood programs, over real HTTP."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from tests.integration.cases.conftest import caseworker, consent, register
from tests.support.services import RunningService
from tests.support.waiting import until

pytestmark = pytest.mark.integration
NOW = datetime.now(UTC)
REACH = {
    "topic": "health_services",
    "channel": "fair",
    "delivery_mode": "in_person",
    "region": "lima_callao",
    "reached_at": NOW.isoformat(),
}

# Registered people seeded straight into the store (real events, not published): registering
# thousands over HTTP would only measure registration.
_SEED = """
WITH people AS (SELECT gen_random_uuid() AS id FROM generate_series(1, $1)),
s AS (INSERT INTO streams SELECT id::text, 1 FROM people),
e AS (INSERT INTO events (event_id, stream_id, stream_version, event_type, schema_version, data,
                          occurred_at)
      SELECT gen_random_uuid(), id::text, 1, 'participant.registered', 1,
             jsonb_build_object('participant_id', id, 'sex', 'man', 'birth_year_month', '1990-01',
                                'birth_date_estimated', false, 'nationality', 'VEN',
                                'region', 'lima_callao', 'registered_by', id,
                                'registered_at', '2022-06-01T00:00:00Z'), now() FROM people)
INSERT INTO participants (participant_id, region, sex, birth_year_month, nationality,
                          registered_at, version)
SELECT id, 'lima_callao', 'man', '1990-01', 'VEN', now(), 1 FROM people RETURNING participant_id
"""


async def test_one_person_reached_and_a_merged_id_counts_on_the_survivor(
    cases: RunningService,
) -> None:
    client = caseworker(cases)
    # Field dates (issue 25): a person is reached after being registered (REACH is dated NOW).
    participant_id, _ = await register(client, occurred_at=(NOW - timedelta(days=1)).isoformat())
    answer = await client.post(f"/participants/{participant_id}/reaches", json=REACH)
    assert answer.status_code == 201, answer.text
    future = {**REACH, "reached_at": (NOW + timedelta(days=2)).isoformat()}
    refused = await client.post(f"/participants/{participant_id}/reaches", json=future)
    assert refused.json()["detail"]["rule"] == "reached_in_future"


async def test_three_thousand_people_in_one_request_in_one_transaction_or_none(
    cases: RunningService,
) -> None:
    pool = cases.app.state.pool
    ids = [str(r["participant_id"]) for r in await pool.fetch(_SEED, 3000)]
    client = caseworker(cases)
    before = await pool.fetchval("SELECT count(*) FROM events WHERE event_type = 'message.reached'")
    unknown = str(uuid.uuid4())
    refused = await client.post("/outreach", json={**REACH, "participant_ids": [*ids, unknown]})
    assert refused.status_code == 422 and unknown in refused.text
    after = await pool.fetchval("SELECT count(*) FROM events WHERE event_type = 'message.reached'")
    assert after == before  # none of the 3,000 was recorded

    started = time.monotonic()
    answer = await client.post("/outreach", json={**REACH, "participant_ids": ids + ids[:10]})
    assert answer.status_code == 201, answer.text
    assert time.monotonic() - started < 10
    assert answer.json()["reached"] == 3000  # a person listed twice is reached once per act
    versions = await pool.fetch(
        "SELECT version FROM streams WHERE stream_id = ANY($1::text[])", ids
    )
    assert {r["version"] for r in versions} == {2}
    reached = await pool.fetchval(
        "SELECT count(DISTINCT stream_id) FROM events"
        " WHERE event_type = 'message.reached' AND stream_id = ANY($1::text[])",
        ids,
    )
    assert reached == 3000


async def test_livelihood_enrolment_stages_training_and_outcomes(cases: RunningService) -> None:
    # Field dates (issue 25): the training finished 30 days ago is a late entry (a supervisor's)
    # about a person registered before it.
    client = cases.client("supervisor", regions=["lima_callao"])
    participant_id, _ = await register(client, occurred_at=(NOW - timedelta(days=60)).isoformat())
    base = f"/participants/{participant_id}/livelihoods"
    program = {"program": "despega_tus_suenos"}
    refused = await client.post(f"{base}/enrolments", json=program)
    assert refused.json()["detail"]["rule"] == "consent_missing"
    await consent(client, participant_id, "services")
    assert (await client.post(f"{base}/enrolments", json=program)).status_code == 201
    stage = {**program, "stage": "interview", "score": 71, "passed": True}
    assert (await client.post(f"{base}/stages", json=stage)).status_code == 201
    assert (await client.post(f"{base}/stages", json={**stage, "score": 101})).status_code == 422
    outcome = {**program, "outcome": "business_started", "observed_at": NOW.isoformat()}
    no_me = await client.post(f"{base}/outcomes", json=outcome)
    assert "'monitoring_evaluation'" in no_me.json()["detail"]["message"]
    await consent(client, participant_id, "monitoring_evaluation")
    assert (await client.post(f"{base}/outcomes", json=outcome)).status_code == 201
    skills = {**outcome, "outcome": "vocational_skills_used"}
    early = await client.post(f"{base}/outcomes", json=skills)
    assert early.json()["detail"]["rule"] == "outside_training_window"
    finished = {**program, "finished_at": (NOW - timedelta(days=30)).isoformat()}
    assert (await client.post(f"{base}/training", json=finished)).status_code == 201
    assert (await client.post(f"{base}/outcomes", json=skills)).status_code == 201
    kept = await client.post(
        f"{base}/outcomes", json={**outcome, "outcome": "employment_kept_6_months"}
    )
    assert kept.json()["detail"]["rule"] == "employment_not_six_months"


async def test_a_bulk_list_with_a_person_merged_meanwhile_reaches_the_survivor(
    cases: RunningService,
) -> None:
    pool = cases.app.state.pool
    ids = [str(r["participant_id"]) for r in await pool.fetch(_SEED, 10_001)]
    listed, survivor = ids[:10_000], ids[10_000]
    merged = min(listed)  # locked first: the request waits on it before any other
    client = caseworker(cases)
    async with pool.acquire() as merging, merging.transaction():
        # A merge in flight: it holds the person's stream and has marked the record merged.
        await merging.execute("SELECT 1 FROM streams WHERE stream_id = $1 FOR UPDATE", merged)
        await merging.execute(
            "UPDATE participants SET merged_into = $2 WHERE participant_id = $1", merged, survivor
        )
        request = asyncio.create_task(
            client.post("/outreach", json={**REACH, "participant_ids": listed}, timeout=120)
        )
        await _until_waiting_on_a_lock(pool, merging)
    answer = await request  # the merge committed while the request waited for its lock
    assert answer.status_code == 201, answer.text
    assert answer.json()["reached"] == 10_000
    reached = {r["participant_id"] for r in answer.json()["reaches"]}
    assert survivor in reached and merged not in reached


async def _until_waiting_on_a_lock(pool: asyncpg.Pool, holder: asyncpg.Connection) -> None:
    """Until another backend waits for a lock `holder` holds (bounded)."""
    me = holder.get_server_pid()

    async def waiting() -> bool:
        return bool(
            await pool.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))", me
            )
        )

    await until(waiting, 60, "the request waits for the merge's lock")
