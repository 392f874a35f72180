"""Every endpoint of every service, called as every role: the policy is consulted and enforced.

The policy table itself is pinned row by row in tests/unit/access/test_policy.py. This test
proves the services use it: for each route and role, the decisions `access.policy.decide` made
during the request are recorded; a denied decision must end in 403, an allowed one never in
401/403; no request ends in a 5xx; and every route consults the policy, except the few open
by design (listed below).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

import access.fastapi
import access.policy
from access.policy import Decision
from access.principal import Principal
from deploy.local.stack import create_databases
from eventkit.positions import wait_for_events
from tests.support.infrastructure import KafkaEndpoint, PostgresEndpoint
from tests.support.services import Keys, RunningService, make_keys
from tests.support.writers import serve_from_now

pytestmark = pytest.mark.integration
REGION = "lima_callao"
PROBES = {"/healthz", "/readyz"}  # process probes: no data
OPEN_BY_DESIGN = {  # (service, method, path): why no policy decision is needed
    ("indicators", "GET", "/logframes"): "names of logframe versions, no figures",
    ("indicators", "GET", "/dashboard"): "the static page; its data comes from the API",
    ("indicators", "GET", "/positions/{event_id}"): "whether an event id was applied, no data",
    ("indicators", "GET", "/attainment"): "suppressed aggregates are public (configurable)",
}
STREAMING = {("indicators", "GET", "/stream")}  # never ends; its reads are the API's, tested there
FORM_SECRET = {  # no person's token: a form's secret (tests/integration/cases/test_field_intake.py)
    ("cases", "POST", "/field-submissions/kobo/{form_id}"),
}
NOT_CALLED = STREAMING | FORM_SECRET
DESTRUCTIVE = re.compile(r"erasure|merge|closure|cancel|reverse|withdrawal|reject|complete")
Recorded = list[tuple[str, str, bool]]


@pytest.fixture
def decisions(monkeypatch: pytest.MonkeyPatch) -> Recorded:
    """Every decision taken, as (role, action, allowed)."""
    seen: Recorded = []
    original = access.policy.decide

    def recording(principal: Principal, action: str, *args: Any, **kwargs: Any) -> Decision:
        decision = original(principal, action, *args, **kwargs)
        seen.append((principal.role.value, action, decision.allowed))
        return decision

    for module in (access.policy, access.fastapi):
        monkeypatch.setattr(module, "decide", recording)
    return seen


async def _databases(postgres: PostgresEndpoint, count: int) -> list[str]:
    names = [f"t_matrix_{uuid.uuid4().hex[:8]}" for _ in range(count)]
    await create_databases(postgres.server_url, names)
    return [postgres.url(n) for n in names]


@contextlib.asynccontextmanager
async def _system(
    postgres: PostgresEndpoint, kafka: KafkaEndpoint, keys: Keys
) -> AsyncIterator[dict[str, RunningService]]:
    urls = await _databases(postgres, 4)
    async with contextlib.AsyncExitStack() as stack:
        # the copies and the indicators begin after what earlier modules wrote (no replay)
        running = await serve_from_now(stack, kafka, keys, urls, f"matrix-{uuid.uuid4().hex[:6]}")
        yield dict(zip(("cases", "referrals", "vouchers", "indicators"), running, strict=True))


async def _ok(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code < 300, answer.text
    return dict(answer.json())


async def _resources(system: dict[str, RunningService]) -> dict[str, str]:
    """One of everything, in Lima y Callao, made by the roles that may make it."""
    cw = {name: svc.client("caseworker", regions=[REGION]) for name, svc in system.items()}
    person = await _ok(await cw["cases"].post("/participants", json={
        "given_names": "Ana", "family_names": "Matriz", "sex": "woman",
        "birth_date": "1990-05-01", "nationality": "VEN", "region": REGION,
    }))  # fmt: skip
    pid = person["participant_id"]
    consent = await _ok(await cw["cases"].post(f"/participants/{pid}/consents", json={
        "purposes": ["services", "referral_sharing", "monitoring_evaluation"],
    }))  # fmt: skip
    case = await _ok(await cw["cases"].post("/cases", json={
        "participant_id": pid, "case_type": "gbv_protection", "intake_channel": "hotline",
        "region": REGION,
    }))  # fmt: skip
    complaint = await _ok(await cw["cases"].post(
        f"/cases/{case['case_id']}/legal-complaints",
        json={"violation": "gender_based_violence", "authority": "police"},
    ))  # fmt: skip
    for name in ("referrals", "vouchers"):  # their copy of who exists and where (roster)
        settings = system[name].app.state.settings
        await wait_for_events(system[name].app.state.pool, settings.roster_consumer,
                              [person["position"], case["position"]], within=30)  # fmt: skip
    admin_r = system["referrals"].client("administrator")
    unit = await _ok(await admin_r.post("/units", json={
        "name": "CEM Lima Matriz", "destination": "CEM", "region": REGION,
        "has_system_account": True, "handover_contact": {"office": "Admisión"},
    }))  # fmt: skip
    referral: dict[str, Any] = {}
    for _ in range(300):  # until the consent event reached the referrals service (bounded)
        answer = await cw["referrals"].post("/referrals", json={
            "case_id": case["case_id"], "participant_id": pid, "unit_id": unit["unit_id"],
            "region": REGION, "assistance_type": "psychosocial", "reason": "gbv_care",
            "shared": {"preferred_contact_time": "morning"},
        })  # fmt: skip
        if answer.status_code != 409:
            referral = await _ok(answer)
            break
        await asyncio.sleep(0.1)
    admin_v = system["vouchers"].client("administrator")
    provider = await _ok(await admin_v.post("/providers", json={
        "name": "Clínica Matriz", "region": REGION, "kind": "clinic",
        "services": ["consultation"],
    }))  # fmt: skip
    voucher = await _ok(await cw["vouchers"].post("/vouchers", json={
        "case_id": case["case_id"], "participant_id": pid, "provider_id": provider["provider_id"],
        "region": REGION, "services": ["consultation"], "amount": "50.00", "allows_partial": True,
        "valid_until": (datetime.now(UTC) + timedelta(days=5)).isoformat(),
    }))  # fmt: skip
    clinic = system["vouchers"].client("clinic", provider_id=provider["provider_id"])
    redemption = await _ok(await clinic.post(
        "/redemptions",
        json={"code": voucher["code"], "amount": "5.00", "services": ["consultation"],
              "receipt_number": "M-1"},
        headers={"Idempotency-Key": f"matrix-{uuid.uuid4()}"},
    ))  # fmt: skip
    return {
        "participant_id": pid, "consent_id": consent["consent_id"], "case_id": case["case_id"],
        "complaint_id": complaint["complaint_id"], "unit_id": unit["unit_id"],
        "referral_id": referral["referral_id"], "provider_id": provider["provider_id"],
        "voucher_id": voucher["voucher_id"], "code": voucher["code"],
        "redemption_id": redemption["redemption_id"], "event_id": redemption["position"],
        "indicator_id": "OE2.7", "region": REGION, "period_start": "2026-01-01",
        "into_participant_id": pid,
    }  # fmt: skip


def _claims(role: str, ids: dict[str, str]) -> dict[str, Any]:
    if role in ("caseworker", "supervisor"):
        return {"regions": [REGION]}
    if role == "clinic":
        return {"provider_id": ids["provider_id"]}
    if role == "receiving_service":
        return {"unit_id": ids["unit_id"]}
    return {}


def _body(operation: dict[str, Any], spec: dict[str, Any], ids: dict[str, str]) -> Any:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if content is None:
        return None
    ref = content.get("schema", {}).get("$ref", "")
    schema = spec["components"]["schemas"].get(ref.split("/")[-1], {})
    examples = schema.get("examples") or [{}]
    body = dict(examples[0])
    for key in body:
        if key in ids:
            body[key] = ids[key]
    return body


def _query(operation: dict[str, Any], ids: dict[str, str]) -> dict[str, str]:
    now = datetime.now(UTC)
    known = {"code": ids["code"], "region": REGION, "from": (now - timedelta(days=1)).isoformat(),
             "to": (now + timedelta(days=1)).isoformat(), "timeout": "0",
             "resource_type": "participant", "resource_id": ids["participant_id"]}  # fmt: skip
    return {
        p["name"]: known[p["name"]]
        for p in operation.get("parameters", [])
        if p["in"] == "query" and p.get("required") and p["name"] in known
    }


def _routes(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    routes = [(m.upper(), path, op) for path, ops in spec["paths"].items() for m, op in ops.items()]
    return sorted(routes, key=lambda r: (bool(DESTRUCTIVE.search(r[1])), r[0] != "GET", r[1]))


def _judge(
    route: tuple[str, str, str], role: str, answer: httpx.Response, decisions: Recorded
) -> str | None:
    """What is wrong with this answer, given the decisions the policy took during the request."""
    where = f"{' '.join(route)} as {role}: {answer.status_code}"
    if answer.status_code >= 500 or answer.status_code == 401:
        return f"{where} {answer.text[:120]}"
    mine = [d for d in decisions if d[0] == role]
    if route[2] == "/break-glass":  # its own rule: supervisors only, outside their regions
        return None if answer.status_code == 403 else f"{where}: break-glass must be refused"
    if not mine:
        open_ = route in OPEN_BY_DESIGN or route[2] in PROBES
        return None if open_ else f"{where} without consulting the policy"
    denied = not all(allowed for _, _, allowed in mine)
    if denied and answer.status_code != 403:
        return f"{where} though the policy denied {mine}"
    if not denied and answer.status_code == 403:
        return f"{where} though the policy allowed {mine}"
    return None


ROLES = ["viewer", "clinic", "receiving_service", "me_officer", "administrator",
         "caseworker", "supervisor"]  # fmt: skip


async def test_every_endpoint_as_every_role(
    postgres: PostgresEndpoint, kafka: KafkaEndpoint, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, decisions: Recorded,
) -> None:  # fmt: skip
    keys = make_keys(tmp_path / "auth")
    monkeypatch.setenv("PANA_AUTH_JWKS_PATH", str(keys.jwks_path))
    for key in ("MASTER_KEY", "BLIND_INDEX_KEY"):
        monkeypatch.setenv(f"PANA_PERSONAL_DATA_{key}", base64.b64encode(os.urandom(32)).decode())
    problems: list[str] = []
    calls = decided = 0
    async with _system(postgres, kafka, keys) as system:
        ids = await _resources(system)
        for service, running in system.items():
            spec = running.app.openapi()
            for method, template, operation in _routes(spec):
                if (service, method, template) in NOT_CALLED:
                    continue
                path = template.format(
                    **{k: ids.get(k, k) for k in re.findall(r"{(\w+)}", template)}
                )
                for role in ROLES:
                    client = running.client(role, **_claims(role, ids))
                    decisions.clear()
                    try:
                        answer = await client.request(
                            method, path, json=_body(operation, spec, ids),
                            params=_query(operation, ids), timeout=20,
                            headers={"Idempotency-Key": f"matrix-{uuid.uuid4()}"},
                        )  # fmt: skip
                    except httpx.TimeoutException:
                        problems.append(f"{service} {method} {template} as {role}: no answer")
                        continue
                    calls += 1
                    decided += any(d[0] == role for d in decisions)
                    problem = _judge((service, method, template), role, answer, decisions)
                    if problem:
                        problems.append(problem)
    assert calls > 400
    assert decided > 350  # every other call was to a probe, an open route or break-glass
    assert problems == [], "\n".join(problems)


ELSEWHERE = "piura"  # the region of the callers in the "whose record" pass
RECORDS = ("participant_id", "case_id", "complaint_id", "consent_id", "referral_id",
           "voucher_id", "redemption_id", "unit_id", "provider_id")  # fmt: skip


def _names_a_record(path: str, body: Any, ids: dict[str, str]) -> bool:
    """Whether a call names one of the Lima records (in its path or its body)."""
    text = f"{path} {body}"
    return any(ids[key] in text for key in RECORDS)


async def test_whose_record_another_regions_team_is_refused_on_every_route(
    postgres: PostgresEndpoint, kafka: KafkaEndpoint, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, decisions: Recorded,
) -> None:  # fmt: skip
    """The matrix's second axis, whose record: a caseworker and a supervisor of another region,
    naming their own region wherever a body or query names one, call every route on Lima's
    records (the participant, case, referral, voucher... made by `_resources`): every call that
    names one is refused with 403, reads and writes alike; a bulk outreach names the person."""
    keys = make_keys(tmp_path / "auth")
    monkeypatch.setenv("PANA_AUTH_JWKS_PATH", str(keys.jwks_path))
    for key in ("MASTER_KEY", "BLIND_INDEX_KEY"):
        monkeypatch.setenv(f"PANA_PERSONAL_DATA_{key}", base64.b64encode(os.urandom(32)).decode())
    problems: list[str] = []
    named = 0
    async with _system(postgres, kafka, keys) as system:
        ids = await _resources(system)
        theirs = {**ids, "region": ELSEWHERE}
        for service, running in system.items():
            spec = running.app.openapi()
            for method, template, operation in _routes(spec):
                if (service, method, template) in NOT_CALLED or template == "/break-glass":
                    continue
                path = template.format(
                    **{k: theirs.get(k, k) for k in re.findall(r"{(\w+)}", template)}
                )
                body = _body(operation, spec, theirs)
                if isinstance(body, dict) and "participant_ids" in body:
                    body["participant_ids"] = [ids["participant_id"]]
                params = {k: ELSEWHERE if k == "region" else v
                          for k, v in _query(operation, ids).items()}  # fmt: skip
                for role in ("caseworker", "supervisor"):
                    client = running.client(role, regions=[ELSEWHERE])
                    decisions.clear()
                    answer = await client.request(
                        method, path, json=body, params=params, timeout=20,
                        headers={"Idempotency-Key": f"matrix-{uuid.uuid4()}"},
                    )  # fmt: skip
                    where = f"{service} {method} {template} as {role} of {ELSEWHERE}"
                    problem = _judge((service, method, template), role, answer, decisions)
                    if problem:
                        problems.append(problem)
                    if _names_a_record(path, body, ids):
                        named += 1
                        if answer.status_code != 403:
                            problems.append(f"{where}: {answer.status_code} {answer.text[:120]}")
    assert named > 60
    assert problems == [], "\n".join(problems)
