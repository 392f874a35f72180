"""The mixed commands of the steady load: what caseworkers, clinics and receiving units do.

Each journey is a short sequence of commands on aggregates of its own (so no two clients race:
races are `tests/reliability/test_races.py`'s job); a step runs only when the previous one was
accepted. `World` holds what the journeys share, made once before the load starts.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from reliability.client import RetryingClient
from reliability.outcomes import Outcomes, Verdict
from reliability.stack import SystemUnderTest

CASES_REGION = "lima_callao"
REFERRALS_REGION = "tumbes"


@dataclass
class World:
    """A clinic's provider, a receiving unit, people whose referral consent has reached the
    referrals service, and people with a case the vouchers service knows (all through Kafka,
    as in production: both services refuse people and cases they have not heard of)."""

    provider_id: str
    unit_id: str
    consented: list[str] = field(default_factory=list)  # in REFERRALS_REGION, each with a case
    cases: dict[str, str] = field(default_factory=dict)  # participant id -> their case's id
    patients: list[tuple[str, str]] = field(default_factory=list)  # (participant, case), Lima


def person(region: str = CASES_REGION) -> dict[str, Any]:
    tag = uuid.uuid4().int
    return {
        "given_names": "Yulimar",
        "family_names": "Contreras",
        "document_type": "ptp",
        "document_number": f"V-{tag % 10**8:08d}",
        "phone": f"+51 9{tag % 10**8:08d}",
        "sex": random.choice(["woman", "man"]),
        "birth_date": "1994-03-12",
        "nationality": "VEN",
        "region": region,
    }


def voucher(world: World) -> dict[str, Any]:
    """A voucher for one of the world's Lima people, at its clinic."""
    participant, case = random.choice(world.patients)
    return {
        "case_id": case,
        "participant_id": participant,
        "provider_id": world.provider_id,
        "region": CASES_REGION,
        "services": ["consultation"],
        "amount": "40.00",
        "valid_until": (datetime.now(UTC) + timedelta(days=30)).isoformat(),
    }


def referral(world: World, participant_id: str) -> dict[str, Any]:
    """A referral of one of the world's consented people to its unit."""
    return {
        "case_id": world.cases[participant_id],
        "participant_id": participant_id,
        "unit_id": world.unit_id,
        "region": REFERRALS_REGION,
        "assistance_type": "psychosocial",
        "reason": "gbv_care",
        "urgency": "routine",
        "shared": {"contact_phone": "+51 987 654 321", "preferred_contact_time": "morning"},
    }


class Clients:
    """One client's principals: a caseworker of each region, a clinic, a unit, a viewer."""

    def __init__(self, sut: SystemUnderTest, world: World, outcomes: Outcomes) -> None:
        def client(service: str, role: str, **claims: Any) -> RetryingClient:
            return RetryingClient(sut.url(service), sut.headers(role, **claims), service, outcomes)

        self.world = world
        self.cases = client("cases", "caseworker", regions=[CASES_REGION])
        self.vouchers = client("vouchers", "caseworker", regions=[CASES_REGION])
        self.clinic = client("vouchers", "clinic", provider_id=world.provider_id)
        self.referrals = client("referrals", "caseworker", regions=[REFERRALS_REGION])
        self.unit = client("referrals", "receiving_service", unit_id=world.unit_id)
        self.viewer = client("indicators", "viewer")
        self.all = [self.cases, self.vouchers, self.clinic, self.referrals, self.unit, self.viewer]

    async def aclose(self) -> None:
        for client in self.all:
            await client.aclose()

    async def voucher_journey(self) -> None:
        issued = await self.vouchers.command("issue voucher", "/vouchers", voucher(self.world))
        if issued.verdict is Verdict.ACCEPTED:
            body = {"code": issued.body["code"], "amount": "40.00", "services": ["consultation"],
                    "receipt_number": f"B001-{uuid.uuid4().hex[:12]}"}  # fmt: skip
            await self.clinic.command("redeem voucher", "/redemptions", body)

    async def case_journey(self) -> None:
        registered = await self.cases.command("register participant", "/participants", person())
        if registered.verdict is not Verdict.ACCEPTED:
            return
        participant = registered.body["participant_id"]
        consent = {"purposes": ["services", "monitoring_evaluation"]}
        given = await self.cases.command(
            "give consent", f"/participants/{participant}/consents", consent
        )
        if given.verdict is not Verdict.ACCEPTED:
            return
        case = {"participant_id": participant, "case_type": "in_transit",
                "intake_channel": "admission_form", "region": CASES_REGION}  # fmt: skip
        opened = await self.cases.command("open case", "/cases", case)
        if opened.verdict is Verdict.ACCEPTED:
            path = f"/cases/{opened.body['case_id']}/services"
            await self.cases.command("deliver service", path, {"service_type": "kit_caminante"})

    async def referral_journey(self) -> None:
        participant = random.choice(self.world.consented)
        body = referral(self.world, participant)
        requested = await self.referrals.command("request referral", "/referrals", body)
        if requested.verdict is Verdict.ACCEPTED:
            path = f"/units/{self.world.unit_id}/referrals/{requested.body['referral_id']}/accept"
            await self.unit.command("accept referral", path)

    async def dashboard_read(self) -> None:
        await self.viewer.read("read attainment", "/attainment")

    async def any_journey(self) -> None:
        journeys = [self.voucher_journey, self.case_journey, self.referral_journey]
        await random.choice(journeys)()
        if random.random() < 0.2:
            await self.dashboard_read()
