"""Break-glass through its door only (issue 20, point 5): grants exist only in the database,
opened through the API, capped per supervisor and day, reviewable, and every use audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.integration.cases.conftest import caseworker, register
from tests.support.audit import audit_fetch
from tests.support.services import RunningService

pytestmark = pytest.mark.integration
REASON = "Covering the Piura team during tonight's emergency intake at the shelter"


async def _piura_case_with_a_note(cases: RunningService) -> tuple[str, str]:
    piura = caseworker(cases, "piura")
    participant_id, _ = await register(piura, region="piura")
    consent = await piura.post(
        f"/participants/{participant_id}/consents", json={"purposes": ["services"]}
    )
    assert consent.status_code == 201, consent.text
    opened = await piura.post("/cases", json={
        "participant_id": participant_id, "case_type": "gbv_protection",
        "intake_channel": "admission_form", "region": "piura",
    })  # fmt: skip
    assert opened.status_code == 201, opened.text
    case_id = str(opened.json()["case_id"])
    note = await piura.post(f"/cases/{case_id}/notes", json={"text": "Safety plan agreed today."})
    assert note.status_code == 201, note.text
    return participant_id, case_id


async def _open(client: httpx.AsyncClient, **body: Any) -> httpx.Response:
    return await client.post("/break-glass", json={"region": "piura", "reason": REASON, **body})


async def test_a_forged_break_glass_claim_opens_nothing(cases: RunningService) -> None:
    participant_id, case_id = await _piura_case_with_a_note(cases)
    forged = {"id": "grant-forged", "region": "piura", "exp": 4_000_000_000}
    supervisor = cases.client("supervisor", regions=["tumbes"], break_glass=[forged])
    for path in (f"/participants/{participant_id}", f"/cases/{case_id}/notes"):
        answer = await supervisor.get(path)
        assert answer.status_code == 403, (path, answer.text)
        assert answer.json()["detail"] == "region piura is outside the principal's regions"
    uses = await audit_fetch(
        cases.app.state.pool,
        "SELECT purpose FROM audit_log WHERE action = 'break_glass.use' AND purpose LIKE $1",
        "%grant-forged%",
    )
    assert uses == []


async def test_the_fourth_grant_in_a_day_is_refused_by_name(cases: RunningService) -> None:
    supervisor = cases.client("supervisor", regions=["tumbes"])
    for minutes in (60, 480, 30):
        assert (await _open(supervisor, minutes=minutes)).status_code == 201
    fourth = await _open(supervisor)
    assert fourth.status_code == 422
    assert fourth.json()["detail"] == {
        "rule": "break_glass_daily_limit",
        "message": "at most 3 break-glass grants per supervisor in 24 hours",
    }
    another = cases.client("supervisor", regions=["tumbes"])  # the cap is per supervisor
    assert (await _open(another)).status_code == 201
    refused = await audit_fetch(
        cases.app.state.pool,
        "SELECT purpose FROM audit_log WHERE action = 'break_glass.open' AND outcome = 'refused'",
    )
    assert "break_glass_daily_limit" in [r["purpose"] for r in refused]


async def test_a_meaningless_reason_or_a_long_grant_is_refused(cases: RunningService) -> None:
    supervisor = cases.client("supervisor", regions=["tumbes"])
    repeated = await _open(supervisor, reason="x" * 40)
    assert repeated.status_code == 422
    assert repeated.json()["detail"]["rule"] == "break_glass_reason"
    words = await _open(supervisor, reason="urgent " * 6)
    assert words.json()["detail"]["rule"] == "break_glass_reason"
    assert (await _open(supervisor, minutes=481)).status_code == 422
    own = await supervisor.post("/break-glass", json={"region": "tumbes", "reason": REASON})
    assert own.status_code == 403


async def test_supervisors_and_administrators_review_the_grants(cases: RunningService) -> None:
    participant_id, _ = await _piura_case_with_a_note(cases)
    supervisor = cases.client("supervisor", regions=["tumbes"])
    opened = await _open(supervisor)
    grant_id = opened.json()["grant_id"]
    unused = await _open(cases.client("supervisor", regions=["lima_callao"]))
    assert (await supervisor.get(f"/participants/{participant_id}")).status_code == 200

    def found(answer: httpx.Response, grant: str) -> dict[str, Any]:
        assert answer.status_code == 200, answer.text
        return next(g for g in answer.json()["grants"] if g["grant_id"] == grant)

    admin = await cases.client("administrator").get("/break-glass/grants")
    seen = found(admin, grant_id)
    assert seen["subject"] and seen["region"] == "piura" and seen["active"]
    assert (seen["used"], seen["reason"]) == (True, REASON)
    assert found(admin, unused.json()["grant_id"])["used"] is False
    piura = await cases.client("supervisor", regions=["piura"]).get("/break-glass/grants")
    assert found(piura, grant_id)["reason"] == REASON
    lima = await cases.client("supervisor", regions=["lima_callao"]).get(
        "/break-glass/grants", params={"region": "piura"}
    )
    assert found(lima, grant_id)["reason"] is None  # not a supervisor of the grant's region
    for role in ("caseworker", "viewer", "me_officer"):
        client = cases.client(role, regions=["piura"])
        assert (await client.get("/break-glass/grants")).status_code == 403


async def test_a_list_read_under_a_grant_is_audited_with_the_grant(
    cases: RunningService,
) -> None:
    await _piura_case_with_a_note(cases)
    supervisor = cases.client("supervisor", regions=["tumbes"])
    grant_id = (await _open(supervisor)).json()["grant_id"]
    listed = await supervisor.get("/cases", params={"region": "piura"})
    assert listed.status_code == 200
    assert listed.json()["items"]
    records = await audit_fetch(
        cases.app.state.pool,
        "SELECT action, resource_type, resource_id, purpose FROM audit_log"
        " WHERE purpose LIKE '%' || $1 || '%' ORDER BY sequence",
        grant_id,
    )
    assert ("break_glass.use", "request", "GET /cases", grant_id) in [tuple(r) for r in records]
    assert ("case.list", "region", "piura", grant_id) in [tuple(r) for r in records]


async def test_a_grant_expires_by_the_app_s_clock(cases: RunningService) -> None:
    """Grants are loaded and judged at the app's clock (`create_service_app(clock=...)`), the
    clock that dated them: neither the database's clock nor the wall clock decides."""
    participant_id, _ = await _piura_case_with_a_note(cases)
    supervisor = cases.client("supervisor", regions=["tumbes"])
    assert (await _open(supervisor, minutes=30)).status_code == 201
    assert (await supervisor.get(f"/participants/{participant_id}")).status_code == 200
    clock = cases.app.state.clock
    cases.app.state.clock = lambda: clock() + timedelta(hours=1)
    try:
        later = await supervisor.get(f"/participants/{participant_id}")
    finally:
        cases.app.state.clock = clock
    assert later.status_code == 403, later.text
    assert later.json()["detail"] == "region piura is outside the principal's regions"
