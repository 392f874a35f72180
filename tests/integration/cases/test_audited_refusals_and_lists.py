"""The audit log tells the whole truth (issue 20, point 6): refused attempts are recorded as
`denied` (in their own transaction: the request's rolled back), and so are list reads."""

from __future__ import annotations

import pytest

from tests.integration.cases.conftest import caseworker, consent, open_case, register
from tests.support.audit import audit_fetch
from tests.support.services import RunningService

pytestmark = pytest.mark.integration


async def test_a_refused_read_and_a_refused_command_are_audited_as_denied(
    cases: RunningService,
) -> None:
    participant_id, _ = await register(caseworker(cases))
    await consent(caseworker(cases), participant_id)
    case_id = (await open_case(caseworker(cases), participant_id, "gbv_protection"))["case_id"]
    intruder = cases.client("caseworker", regions=["piura"], sub="intruder-7")
    assert (await intruder.get(f"/participants/{participant_id}")).status_code == 403
    assert (await intruder.get(f"/cases/{case_id}/notes")).status_code == 403
    note = await intruder.post(f"/cases/{case_id}/notes", json={"text": "Not my case at all."})
    assert note.status_code == 403
    assert (await cases.client("viewer").get("/cases")).status_code == 403
    denied = await audit_fetch(
        cases.app.state.pool,
        "SELECT actor_subject, actor_role, action, resource_type, resource_id, purpose"
        " FROM audit_log WHERE outcome = 'denied' ORDER BY sequence",
    )
    mine = [tuple(r)[:5] for r in denied if r["actor_subject"] == "intruder-7"]
    assert mine == [
        ("intruder-7", "caseworker", "participant.read_personal", "participant", participant_id),
        ("intruder-7", "caseworker", "case.read_sensitive", "case", case_id),
        ("intruder-7", "caseworker", "case.update", "case", case_id),
    ]
    reasons = {r["purpose"] for r in denied if r["actor_subject"] == "intruder-7"}
    assert reasons == {"region lima_callao is outside the principal's regions"}
    assert any(r["actor_role"] == "viewer" and r["action"] == "case.list" for r in denied)
    notes = await cases.app.state.pool.fetchval(
        "SELECT count(*) FROM case_notes WHERE case_id = $1::uuid", case_id
    )
    assert notes == 0  # the refused command wrote nothing but its audit record


async def test_case_and_consent_lists_are_audited(cases: RunningService) -> None:
    client = caseworker(cases)
    participant_id, _ = await register(client)
    await consent(client, participant_id)
    reader = cases.client("caseworker", regions=["lima_callao", "tumbes"], sub="reader-3")
    assert (await reader.get("/cases")).status_code == 200
    assert (await reader.get(f"/participants/{participant_id}/consents")).status_code == 200
    reads = await audit_fetch(
        cases.app.state.pool,
        "SELECT action, resource_type, resource_id, outcome FROM audit_log"
        " WHERE actor_subject = 'reader-3' ORDER BY sequence",
    )
    assert [tuple(r) for r in reads] == [
        ("case.list", "region", "lima_callao", "done"),
        ("case.list", "region", "tumbes", "done"),
        ("consent.list", "participant", participant_id, "done"),
    ]
