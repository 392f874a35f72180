"""One person's year as API calls, and the bulk outreach of a year (see `plan.py`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any, Protocol

import httpx

from deploy.demo.plan import SHARED, Case, Person


class Endpoints(Protocol):
    """Where each service answers."""

    @property
    def cases(self) -> str: ...
    @property
    def referrals(self) -> str: ...
    @property
    def vouchers(self) -> str: ...


class Player(Protocol):
    """What the acts need of `deploy.demo.player.Player`: clients, posting, the directories."""

    @property
    def endpoints(self) -> Endpoints: ...
    @property
    def units(self) -> dict[tuple[str, str], str]: ...
    @property
    def providers(self) -> dict[str, str]: ...
    def client(self, base: str, role: str, **claims: Any) -> httpx.AsyncClient: ...
    async def post(
        self,
        client: httpx.AsyncClient,
        path: str,
        body: Any,
        kind: str,
        retry_rule: str | None = None,
        after: str = "",
    ) -> dict[str, Any]: ...


REASONS = {"CEM": "gbv_care", "SIS": "health_insurance_affiliation",
           "EESS": "general_health_care", "CSMC": "mental_health_care"}  # fmt: skip
OUTCOMES = {"CEM": "care_started", "SIS": "sis_affiliation_done",
            "EESS": "attended", "CSMC": "care_started"}  # fmt: skip
PROGRAM = "despega_tus_suenos"
BULK = 2000
TEAM = "supervisor"
"""Who enters the year: its acts are dated months back, late entries that are a supervisor's
(docs/field-dates.md); the people are registered, and consent, before the year began."""


def _iso(moment: datetime) -> str:
    return moment.isoformat()


async def play_person(player: Player, person: Person, now: datetime) -> str:
    """Register, consent, and the person's case with all it brings; return the participant id."""
    cases = player.client(player.endpoints.cases, TEAM, regions=[person.region])
    # Before any act of the planned year (outreach is dated on the 1st of its month), once born.
    born = datetime.combine(person.birth_date, time(), UTC)
    known_since = _iso(max(now - timedelta(days=400), born))
    registered = await player.post(cases, "/participants", {
        "occurred_at": known_since,
        "given_names": "Persona", "family_names": f"Demo {person.number:05d}",
        "document_type": "ptp", "document_number": f"DEMO{person.number:07d}",
        "phone": f"+51 9{person.number:08d}", "sex": person.sex,
        "birth_date": person.birth_date.isoformat(),
        "nationality": "VEN" if person.number % 10 else "PER", "region": person.region,
    }, "participant registered")  # fmt: skip
    pid = str(registered["participant_id"])
    consent = await player.post(cases, f"/participants/{pid}/consents", {
        "purposes": ["services", "referral_sharing", "monitoring_evaluation"],
        "given_by": "participant" if person.adult else "guardian", "occurred_at": known_since,
    }, "consent given")  # fmt: skip
    if person.case is not None:
        await _case(player, person, person.case, pid, now, SHARED, str(consent["position"]))
    return pid


async def _case(player: Player, person: Person, case: Case, pid: str, now: datetime,
                shared: dict[str, Any], consented: str) -> None:  # fmt: skip
    """The case and what it brings; `consented` is the consent's event id (the person's last on
    the participants topic): with the case's, what referrals and vouchers wait for."""
    cases = player.client(player.endpoints.cases, TEAM, regions=[person.region])
    body: dict[str, Any] = {
        "participant_id": pid,
        "case_type": case.case_type,
        "intake_channel": "admission_form",
        "region": person.region,
        "opened_at": _iso(case.opened),
    }
    if case.case_type == "migratory_regularization":
        body["regularization_profile"] = "expired_permit_and_fines"
    opened = await player.post(cases, "/cases", body, "case opened")
    case_id, after = str(opened["case_id"]), f"{consented},{opened['position']}"
    for service, at in case.services:
        await player.post(cases, f"/cases/{case_id}/services",
                          {"service_type": service, "delivered_at": _iso(at)},
                          f"{service} delivered")  # fmt: skip
    for referral in case.referrals:
        await _refer(player, person, pid, case_id, referral.destination, referral.assistance,
                     referral.completed, shared, after)  # fmt: skip
    if case.complaint_taken_up is not None:
        filed = await player.post(cases, f"/cases/{case_id}/legal-complaints",
                                  {"violation": "gender_based_violence", "authority": "police"},
                                  "legal complaint filed")  # fmt: skip
        if case.complaint_taken_up:
            await player.post(
                cases, f"/cases/{case_id}/legal-complaints/{filed['complaint_id']}/taken-up",
                {"authority": "prosecutor"}, "complaint taken up",
            )  # fmt: skip
    if case.voucher is not None:
        await _voucher(player, person, pid, case_id, case, now, after)
    if case.livelihood_outcomes:
        await _livelihoods(player, cases, pid, case)


async def _refer(player: Player, person: Person, pid: str, case_id: str, destination: str,
                 assistance: str, completed: bool, shared: dict[str, Any],
                 after: str) -> None:  # fmt: skip
    team = player.client(player.endpoints.referrals, TEAM, regions=[person.region])
    unit_id = player.units[(person.region, destination)]
    referral = await player.post(team, "/referrals", {
        "case_id": case_id, "participant_id": pid, "unit_id": unit_id, "region": person.region,
        "assistance_type": assistance, "reason": REASONS[destination], "urgency": "routine",
        "shared": shared[destination](person),
    }, f"referral to {destination}", after=after)  # fmt: skip
    if not completed:
        return
    unit = player.client(player.endpoints.referrals, "receiving_service", unit_id=unit_id)
    path = f"/units/{unit_id}/referrals/{referral['referral_id']}"
    await player.post(unit, f"{path}/accept", {}, f"referral accepted by {destination}")
    await player.post(unit, f"{path}/complete", {"outcome": OUTCOMES[destination]},
                      f"referral completed by {destination}")  # fmt: skip


async def _voucher(player: Player, person: Person, pid: str, case_id: str, case: Case,
                   now: datetime, after: str) -> None:  # fmt: skip
    team = player.client(player.endpoints.vouchers, TEAM, regions=[person.region])
    provider = player.providers[person.region]
    voucher = await player.post(team, "/vouchers", {
        "case_id": case_id, "participant_id": pid, "provider_id": provider,
        "region": person.region, "services": ["consultation", "medicines"],
        "amount": case.voucher, "valid_until": _iso(now + timedelta(days=60)),
    }, "voucher issued", after=after)  # fmt: skip
    if case.voucher_redeemed:
        clinic = player.client(player.endpoints.vouchers, "clinic", provider_id=provider)
        await player.post(clinic, "/redemptions", {
            "code": voucher["code"], "amount": case.voucher, "services": ["consultation"],
            "receipt_number": f"DEMO-{person.number:06d}",
        }, "voucher redeemed")  # fmt: skip


async def _livelihoods(player: Player, cases: Any, pid: str, case: Case) -> None:
    base = f"/participants/{pid}/livelihoods"
    enrolment = {"program": PROGRAM, "enrolled_at": _iso(case.opened)}
    await player.post(cases, f"{base}/enrolments", enrolment, "enrolment")
    finished = {"program": PROGRAM, "finished_at": _iso(case.opened + timedelta(days=1))}
    await player.post(cases, f"{base}/training", finished, "training finished")
    for outcome, at in sorted(case.livelihood_outcomes, key=lambda item: item[1]):
        observed = {"program": PROGRAM, "outcome": outcome, "observed_at": _iso(at)}
        await player.post(cases, f"{base}/outcomes", observed, f"{outcome} recorded")


def outreach_batches(
    people: list[Person], ids: dict[int, str]
) -> Iterator[tuple[str, str, str, list[str]]]:
    """(region, topic, reached_at, participant ids): one batch per region, topic and month."""
    groups: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for person in people:
        reached = (("health_services", person.health_message),
                   ("income_generation", person.income_message))  # fmt: skip
        for topic, at in reached:
            if at is None:
                continue
            # One activity a month per region and topic: dated on the 1st (never in the future).
            first = at.replace(day=1, hour=12, minute=0, second=0, microsecond=0)
            groups[(person.region, topic, _iso(min(first, at)))].append(ids[person.number])
    for (region, topic, when), members in sorted(groups.items()):
        for start in range(0, len(members), BULK):
            yield region, topic, when, members[start : start + BULK]
