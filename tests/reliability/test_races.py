"""Racing writers on one aggregate, over HTTP on the running system: the rules hold every time.

Each round sends its racers at once (`asyncio.gather` over separate principals and connections)
and then checks the aggregate's stream in the service's own store.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from typing import Any

import asyncpg
import httpx
import pytest

from reliability.journeys import CASES_REGION, REFERRALS_REGION, World, person, referral, voucher
from reliability.profile import Profile
from reliability.report import Report
from reliability.stack import SystemUnderTest

pytestmark = pytest.mark.e2e
LEGAL_PATHS = (
    ["referral.accepted"],
    ["referral.rejected"],
    ["referral.cancelled"],
    ["referral.accepted", "referral.cancelled"],
)


def _client(system: SystemUnderTest, service: str, role: str, **claims: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=system.url(service), headers=system.headers(role, **claims), timeout=30
    )


async def _stream(system: SystemUnderTest, service: str, stream_id: str) -> list[str]:
    conn = await asyncpg.connect(system.database_url(service))
    try:
        rows = await conn.fetch(
            "SELECT event_type, stream_version FROM events WHERE stream_id = $1"
            " ORDER BY stream_version",
            stream_id,
        )
    finally:
        await conn.close()
    assert [r["stream_version"] for r in rows] == list(range(1, len(rows) + 1))
    return [str(r["event_type"]) for r in rows]


def _created(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code in (200, 201), answer.text
    return dict(answer.json())


async def test_double_redemption_one_clinic_wins_every_round(
    system: SystemUnderTest, world: World, profile: Profile, report: Report
) -> None:
    caseworker = _client(system, "vouchers", "caseworker", regions=[CASES_REGION])
    clinics = [_client(system, "vouchers", "clinic", provider_id=world.provider_id) for _ in "ab"]
    statuses: Counter[int] = Counter()
    for _ in range(profile.race_rounds):
        issued = _created(await caseworker.post("/vouchers", json=voucher(world)))
        body = {"code": issued["code"], "amount": "40.00", "services": ["consultation"],
                "receipt_number": f"B001-{issued['code']}"}  # one receipt per round  # fmt: skip
        answers = await asyncio.gather(*(
            clinic.post("/redemptions", json=body, headers={"Idempotency-Key": f"k-{uuid.uuid4()}"})
            for clinic in clinics * 2
        ))  # fmt: skip
        statuses.update(a.status_code for a in answers)
        assert sorted(a.status_code for a in answers) == [201, 409, 409, 409], [
            a.text for a in answers
        ]
        events = await _stream(system, "vouchers", issued["voucher_id"])
        assert events.count("voucher.redeemed") == 1, events
    for client in (caseworker, *clinics):
        await client.aclose()
    section = report.section("Race: double redemption")
    section.line(
        "Each round: one single-use voucher of 40.00, four redemptions of 40.00 at once from two "
        "clinic principals of its provider, each with its own Idempotency-Key."
    )
    section.figure("rounds", profile.race_rounds)
    section.figure("answers by status", dict(sorted(statuses.items())))
    section.figure("rounds with more than one redemption stored", 0)


async def test_racing_answers_to_one_referral_only_one_counts(
    system: SystemUnderTest, world: World, profile: Profile, report: Report
) -> None:
    caseworker = _client(system, "referrals", "caseworker", regions=[REFERRALS_REGION])
    unit = _client(system, "referrals", "receiving_service", unit_id=world.unit_id)
    winners: Counter[str] = Counter()
    for round_ in range(profile.race_rounds):
        participant = world.consented[round_ % len(world.consented)]
        made = _created(await caseworker.post("/referrals", json=referral(world, participant)))
        base = f"/units/{world.unit_id}/referrals/{made['referral_id']}"
        racers = {
            "accepted": unit.post(f"{base}/accept"),
            "rejected": unit.post(f"{base}/reject", json={"reason": "no_capacity"}),
            "cancelled": caseworker.post(
                f"/referrals/{made['referral_id']}/cancel", json={"reason": "need_met_otherwise"}
            ),
        }
        answers = dict(zip(racers, await asyncio.gather(*racers.values()), strict=True))
        won = sorted(name for name, a in answers.items() if a.status_code == 200)
        assert all(a.status_code in (200, 409) for a in answers.values()), answers
        events = await _stream(system, "referrals", made["referral_id"])
        # A legal path of the state machine, holding exactly the answers that won.
        assert events[1:] in LEGAL_PATHS, events
        assert sorted(e.removeprefix("referral.") for e in events[1:]) == won, (events, won)
        winners["+".join(e.removeprefix("referral.") for e in events[1:])] += 1
    for client in (caseworker, unit):
        await client.aclose()
    section = report.section("Race: answers to one referral")
    section.line(
        "Each round: a new referral; at once the unit accepts, the unit rejects and the "
        "caseworker cancels. Accept and reject exclude each other; cancel may follow an "
        "accept. Invariant: the stream is a legal path of the state machine holding exactly the "
        "answers that got 200; every other answer is 409."
    )
    section.figure("rounds", profile.race_rounds)
    section.figure("winners", dict(sorted(winners.items())))
    section.figure("rounds off the state machine", 0)


async def test_racing_updates_to_one_case_keep_its_rules(
    system: SystemUnderTest, profile: Profile, report: Report
) -> None:
    first, second = (_client(system, "cases", "caseworker", regions=[CASES_REGION]) for _ in "ab")
    pinned: Counter[int] = Counter()
    for _ in range(profile.race_rounds):
        participant = _created(await first.post("/participants", json=person()))["participant_id"]
        _created(await first.post(f"/participants/{participant}/consents",
                                  json={"purposes": ["services"]}))  # fmt: skip
        case = _created(await first.post("/cases", json={
            "participant_id": participant, "case_type": "in_transit",
            "intake_channel": "admission_form", "region": CASES_REGION}))  # fmt: skip
        path = f"/cases/{case['case_id']}"
        version = (await first.get(path)).headers["ETag"]
        other = str(uuid.uuid4())
        # Two writers pinning the same version: one wins, the other gets 409 and the version.
        pinned_answers = await asyncio.gather(
            first.post(f"{path}/reassignment", headers={"If-Match": version}, json={
                "caseworker_id": other, "region": CASES_REGION, "reason": "workload_balancing"}),
            second.post(f"{path}/services", headers={"If-Match": version},
                        json={"service_type": "kit_caminante"}),
        )  # fmt: skip
        assert sorted(a.status_code for a in pinned_answers) in ([200, 409], [201, 409])
        pinned.update(a.status_code for a in pinned_answers)
        # Unpinned: two closures and a delivery at once. One closure; nothing after it.
        closing = await asyncio.gather(
            first.post(f"{path}/closure", json={"reason": "needs_met"}),
            second.post(f"{path}/closure", json={"reason": "needs_met"}),
            second.post(f"{path}/services", json={"service_type": "kit_caminante"}),
        )
        assert sorted(a.status_code for a in closing[:2]) == [200, 409], [a.text for a in closing]
        events = await _stream(system, "cases", case["case_id"])
        assert events.count("case.closed") == 1 and events[-1] == "case.closed", events
        read = (await first.get(path)).json()
        assert read["status"] == "closed" and read["version"] == len(events)
    for client in (first, second):
        await client.aclose()
    section = report.section("Race: updates to one case")
    section.line(
        "Each round: two caseworkers update one case pinning the same version (If-Match), then "
        "close it twice and deliver a service at once without pinning. Invariants: exactly one "
        "pinned write wins (409 for the other), exactly one closure, no event after it, "
        "contiguous versions, the read model at the stream's version."
    )
    section.figure("rounds", profile.race_rounds)
    section.figure("pinned answers by status", dict(sorted(pinned.items())))
