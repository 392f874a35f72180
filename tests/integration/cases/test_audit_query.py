"""`GET /audit` (issue 20, point 6): who read or changed this participant or case, for the
supervisors of its region and administrators (the data protection officer)."""

from __future__ import annotations

import pytest

from tests.integration.cases.conftest import consent, open_case, register
from tests.support.audit import chained
from tests.support.services import RunningService

pytestmark = pytest.mark.integration


async def test_who_read_or_changed_a_participant_and_a_case(cases: RunningService) -> None:
    team = cases.client("caseworker", regions=["lima_callao"], sub="cw-lima")
    participant_id, _ = await register(team)
    await consent(team, participant_id)
    case_id = (await open_case(team, participant_id))["case_id"]
    assert (await team.get(f"/participants/{participant_id}")).status_code == 200
    intruder = cases.client("caseworker", regions=["piura"], sub="cw-piura")
    assert (await intruder.get(f"/participants/{participant_id}")).status_code == 403
    away = cases.client("supervisor", regions=["tumbes"], sub="sup-tumbes")
    opened = await away.post("/break-glass", json={
        "region": "lima_callao", "reason": "Covering the Lima team during a night emergency",
    })  # fmt: skip
    assert opened.status_code == 201
    seen_away = await away.get(f"/participants/{participant_id}/timeline")
    assert seen_away.status_code == 200, seen_away.text
    await chained(cases.app.state.pool)  # some chained, the query's own record in the inbox

    query = {"resource_type": "participant", "resource_id": participant_id}
    dpo = await cases.client("administrator", sub="dpo").get("/audit", params=query)
    assert dpo.status_code == 200, dpo.text
    seen = {(r["actor_subject"], r["action"], r["outcome"]) for r in dpo.json()["records"]}
    assert {
        ("cw-lima", "participant.register", "done"),
        ("cw-lima", "participant.read_personal", "done"),
        ("cw-lima", "consent.record", "done"),
        ("cw-piura", "participant.read_personal", "denied"),
        ("sup-tumbes", "break_glass.use", "request"),
        ("sup-tumbes", "participant.timeline", "done"),
    } <= seen
    assert all(r["resource_id"] != case_id for r in dpo.json()["records"])

    lima = cases.client("supervisor", regions=["lima_callao"], sub="sup-lima")
    case = await lima.get("/audit", params={"resource_type": "case", "resource_id": case_id})
    assert case.status_code == 200
    assert ("cw-lima", "case.open") in {
        (r["actor_subject"], r["action"]) for r in case.json()["records"]
    }
    again = await lima.get("/audit", params=query)
    assert ("dpo", "audit.query") in {
        (r["actor_subject"], r["action"]) for r in again.json()["records"]
    }

    for client in (cases.client("supervisor", regions=["piura"]), team,
                   cases.client("me_officer"), cases.client("viewer")):  # fmt: skip
        assert (await client.get("/audit", params=query)).status_code == 403
    unknown = await lima.get("/audit", params={**query, "resource_type": "voucher"})
    assert unknown.status_code == 422
    assert unknown.json()["detail"]["rule"] == "unknown_resource_type"
    assert (await lima.get("/audit", params={**query, "resource_id": "x"})).status_code == 422
