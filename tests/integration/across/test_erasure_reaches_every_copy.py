"""Erasure reaches every copy: once the cases service erases a person, no receiving unit and no
role reads a name, phone or document of theirs anywhere, and nothing new about them is taken."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.integration.across.conftest import System, ok, person_with_a_case

pytestmark = pytest.mark.integration
REGION = "lima_callao"
LATER = (datetime.now(UTC) + timedelta(days=30)).isoformat()


async def _unit(system: System, name: str, destination: str) -> str:
    admin = system.referrals.client("administrator")
    unit = await ok(await admin.post("/units", json={
        "name": name, "destination": destination, "region": REGION,
        "has_system_account": True, "handover_contact": {"office": "Admisión"},
    }))  # fmt: skip
    return str(unit["unit_id"])


async def _person(system: System) -> dict[str, Any]:
    """A Lima participant with a GBV case, consent, referrals to a CEM (answered) and a SIS
    (not answered), and a voucher; with the personal values they were given."""
    tag = uuid.uuid4().hex[:6]
    personal = {
        "given_names": f"Yusmary {tag}", "family_names": f"Quintero {tag}",
        "document_number": f"V{int(tag, 16) % 10**8:08d}",
        "phone": f"+51 9{int(tag, 16) % 10**8:08d}",
    }  # fmt: skip
    cw = system.cases.client("caseworker", regions=[REGION])
    person, consent, case = await person_with_a_case(cw, {
        **personal, "document_type": "ptp", "sex": "woman", "birth_date": "1996-04-02",
        "nationality": "VEN", "region": REGION,
    }, "gbv_protection")  # fmt: skip
    pid = person["participant_id"]
    await system.known(person["position"], case["position"])
    await system.consented(consent["position"])
    full_name = f"{personal['given_names']} {personal['family_names']}"
    team = system.referrals.client("caseworker", regions=[REGION])
    cem, sis = await _unit(system, f"CEM {tag}", "CEM"), await _unit(system, f"SIS {tag}", "SIS")
    referrals = {}
    for unit, reason, shared in (
        (cem, "gbv_care", {"full_name": full_name, "contact_phone": personal["phone"],
                           "preferred_contact_time": "morning"}),
        (sis, "health_insurance_affiliation", {"full_name": full_name, "document_type": "ptp",
                                               "document_number": personal["document_number"]}),
    ):  # fmt: skip
        referral = await ok(await team.post("/referrals", json={
            "case_id": case["case_id"], "participant_id": pid, "unit_id": unit, "region": REGION,
            "assistance_type": "psychosocial", "reason": reason, "shared": shared,
        }))  # fmt: skip
        referrals[unit] = referral["referral_id"]
    cem_unit = system.referrals.client("receiving_service", org="mimp", unit_id=cem)
    await ok(await cem_unit.post(f"/units/{cem}/referrals/{referrals[cem]}/accept"))
    admin_v = system.vouchers.client("administrator")
    provider = await ok(await admin_v.post("/providers", json={
        "name": f"Clínica {tag}", "region": REGION, "kind": "clinic", "services": ["exams"],
    }))  # fmt: skip
    voucher = await ok(await system.vouchers.client("caseworker", regions=[REGION]).post(
        "/vouchers", json={
            "case_id": case["case_id"], "participant_id": pid, "region": REGION,
            "provider_id": provider["provider_id"], "services": ["exams"], "amount": "40.00",
            "valid_until": LATER,
        },
    ))  # fmt: skip
    return {"pid": pid, "case": case["case_id"], "referrals": referrals, "cem": cem, "sis": sis,
            "voucher": voucher["voucher_id"], "provider": provider["provider_id"],
            "values": [*personal.values(), full_name]}  # fmt: skip


async def _everything(system: System, p: dict[str, Any]) -> list[httpx.Response]:
    """Every read about the person, as every receiving unit and every role that may read."""
    reads = []
    for unit in (p["cem"], p["sis"]):
        client = system.referrals.client("receiving_service", org="unit", unit_id=unit)
        reads.append(await client.get(f"/units/{unit}/referrals"))
        reads.append(await client.get(f"/units/{unit}/referrals/{p['referrals'][unit]}"))
    now = datetime.now(UTC)
    period = {"from": (now - timedelta(days=1)).isoformat(),
              "to": (now + timedelta(days=1)).isoformat()}  # fmt: skip
    for role in ("caseworker", "supervisor"):
        team = system.referrals.client(role, regions=[REGION])
        reads.append(await team.get("/referrals", params={"region": REGION}))
        reads.append(await team.get("/referrals/overdue", params={"region": REGION}))
        for referral_id in p["referrals"].values():
            reads.append(await team.get(f"/referrals/{referral_id}"))
        reads.append(
            await system.vouchers.client(role, regions=[REGION]).get(f"/vouchers/{p['voucher']}")
        )
        staff = system.cases.client(role, regions=[REGION])
        for path in (f"/participants/{p['pid']}", f"/participants/{p['pid']}/timeline",
                     f"/participants/{p['pid']}/consents", f"/cases/{p['case']}",
                     f"/cases/{p['case']}/notes"):  # fmt: skip
            reads.append(await staff.get(path))
        reads.append(await staff.get("/cases", params={"region": REGION}))
    clinic = system.vouchers.client("clinic", provider_id=p["provider"])
    for client in (clinic, system.vouchers.client("me_officer"),
                   system.vouchers.client("administrator"),
                   system.vouchers.client("supervisor", regions=[REGION])):  # fmt: skip
        reads.append(await client.get(f"/reconciliation/{p['provider']}", params=period))
    for role in ("me_officer", "administrator", "supervisor"):
        client = system.vouchers.client(role, regions=[REGION] if role == "supervisor" else [])
        reads.append(await client.get("/fraud-signals"))
    return reads


def _leaks(reads: list[httpx.Response], values: list[str]) -> list[str]:
    return [f"{r.request.method} {r.request.url.path}: {v}"
            for r in reads for v in values if v in r.text]  # fmt: skip


async def test_an_erased_person_is_unreadable_everywhere_and_refused_everywhere(
    system: System,
) -> None:
    p = await _person(system)
    before = await _everything(system, p)
    assert all(r.status_code == 200 for r in before), [
        (r.request.url.path, r.status_code, r.text[:100]) for r in before if r.status_code != 200
    ]
    assert _leaks(before, p["values"])  # the values are there to be found (CEM, SIS, the team)

    erased = await ok(
        await system.cases.client("supervisor", regions=[REGION]).post(
            f"/participants/{p['pid']}/erasure", json={"basis": "participant_request"}
        )
    )
    await system.known(erased["position"])  # both copies applied `participant.erased`

    after = await _everything(system, p)
    assert all(r.status_code == 200 for r in after), [
        (r.request.url.path, r.status_code) for r in after if r.status_code != 200
    ]
    assert _leaks(after, p["values"]) == []
    for unit, referral_id in p["referrals"].items():
        shown = [r for r in after if r.request.url.path == f"/units/{unit}/referrals/{referral_id}"]
        assert shown[0].json()["shared"] is None  # withheld, answered (CEM) or not (SIS)
    pool = system.referrals.app.state.pool
    assert await pool.fetchval(
        "SELECT count(*) FROM referral_shared_data WHERE participant_id = $1",
        uuid.UUID(p["pid"]),
    ) == 0  # fmt: skip
    assert await pool.fetchval(
        "SELECT wrapped_key IS NULL AND destroyed_at IS NOT NULL FROM participant_keys"
        " WHERE participant_id = $1",
        p["pid"],
    )

    # Nothing new about the person, in any service, each refusal naming its rule.
    team = system.referrals.client("caseworker", regions=[REGION])
    again = await team.post("/referrals", json={
        "case_id": p["case"], "participant_id": p["pid"], "unit_id": p["cem"], "region": REGION,
        "assistance_type": "psychosocial", "reason": "gbv_care",
        "shared": {"preferred_contact_time": "morning"},
    })  # fmt: skip
    voucher = await system.vouchers.client("caseworker", regions=[REGION]).post(
        "/vouchers", json={
            "case_id": p["case"], "participant_id": p["pid"], "region": REGION,
            "services": ["exams"], "amount": "10.00", "valid_until": LATER,
        },
    )  # fmt: skip
    staff = system.cases.client("caseworker", regions=[REGION])
    case = await staff.post("/cases", json={
        "participant_id": p["pid"], "case_type": "mental_health", "intake_channel": "hotline",
        "region": REGION,
    })  # fmt: skip
    note = await staff.post(f"/cases/{p['case']}/notes", json={"text": "Called back today."})
    reached = await staff.post("/outreach", json={
        "participant_ids": [p["pid"]], "topic": "health_services", "channel": "fair",
        "delivery_mode": "in_person", "region": REGION, "reached_at": datetime.now(UTC).isoformat(),
    })  # fmt: skip
    for answer in (again, voucher, case, note, reached):
        assert answer.status_code == 409, answer.text
        assert answer.json()["detail"]["rule"] == "participant_erased", answer.text
