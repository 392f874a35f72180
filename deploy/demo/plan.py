"""A synthetic program year: who is served, how, and what the logframe should count (pure).

The mixes follow the program's brief: most people in Lima y Callao, more women than men, many
young adults and children. Dates fall in the year before `now`. `expected()` applies the
logframe's rules to the plan, so the dashboard's figures can be checked against it exactly.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

REGIONS = {"lima_callao": 0.55, "la_libertad": 0.15, "piura": 0.15, "tumbes": 0.15}
SEXES = {"woman": 0.58, "man": 0.40, "non_binary": 0.02}
AGES = {  # age group: (weight, youngest, oldest)
    "early_childhood": (0.12, 0, 5),
    "childhood": (0.12, 6, 11),
    "adolescence": (0.08, 12, 17),
    "youth": (0.28, 18, 29),
    "young_adults": (0.25, 30, 44),
    "adults": (0.11, 45, 59),
    "older_adults": (0.04, 60, 80),
}
CASE_TYPES = {
    "gbv_protection": 0.30,
    "migratory_regularization": 0.25,
    "health": 0.20,
    "mental_health": 0.15,
    "livelihoods": 0.10,
}
HEALTH_DESTINATIONS = ("SIS", "EESS", "CSMC")
DESTINATIONS = ("CEM", "SIS", "EESS", "CSMC")
SHARED = {  # the shared minimum each destination receives (synthetic values)
    "CEM": lambda p: {"full_name": f"Demo {p.number:05d}", "contact_phone": _phone(p),
                      "preferred_contact_time": "morning"},
    "SIS": lambda p: {"full_name": f"Demo {p.number:05d}", "document_type": "ptp",
                      "document_number": f"DEMO{p.number:07d}"},
    "EESS": lambda p: {"full_name": f"Demo {p.number:05d}", "sex": p.sex},
    "CSMC": lambda p: {"sex": p.sex},
}  # fmt: skip


def _phone(person: Person) -> str:
    return f"+51 9{person.number:08d}"


ASSISTANCE = ("medical", "legal", "psychosocial")  # what OE1.1 counts from a completed referral
PROJECT_ASSISTANCE = {"psychological_first_aid", "gbv_orientation", "medical_report"}
OUTCOMES = ("employment_obtained", "business_started", "income_increased", "vocational_skills_used")


@dataclass
class Referral:
    destination: str
    assistance: str
    completed: bool


@dataclass
class Case:
    case_type: str
    opened: datetime
    services: list[tuple[str, datetime]] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    complaint_taken_up: bool | None = None  # None: no complaint filed
    voucher: str | None = None  # amount of a voucher issued
    voucher_redeemed: bool = False
    livelihood_outcomes: list[tuple[str, datetime]] = field(default_factory=list)


@dataclass
class Person:
    number: int
    region: str
    sex: str
    age: int
    birth_date: date
    health_message: datetime | None = None
    income_message: datetime | None = None
    case: Case | None = None

    @property
    def adult(self) -> bool:
        return self.age >= 18


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def plan_year(participants: int, seed: int, now: datetime) -> list[Person]:
    """`participants` people and what happens to each during the year before `now`."""
    rng = random.Random(seed)
    start = now - timedelta(days=365)

    def moment(after: datetime = start) -> datetime:
        span = max(1.0, (now - timedelta(hours=2) - after).total_seconds())
        return after + timedelta(seconds=rng.uniform(0, span))

    people = []
    for number in range(participants):
        group = _pick(rng, {k: v[0] for k, v in AGES.items()})
        age = rng.randint(AGES[group][1], AGES[group][2])
        birth = (now - timedelta(days=365.25 * age + rng.uniform(30, 330))).date()
        person = Person(number, _pick(rng, REGIONS), _pick(rng, SEXES), age, birth)
        # Nothing happens to a baby before it is born: its acts start the month after its birth
        # (outreach is dated on the 1st of its month; docs/field-dates.md).
        earliest = max(start, born_month_after(birth))

        def moment_of(after: datetime = earliest, floor: datetime = earliest) -> datetime:
            return moment(max(after, floor))

        if rng.random() < 0.70:
            person.health_message = moment_of()
        if person.adult and rng.random() < 0.25:
            person.income_message = moment_of()
        if rng.random() < 0.45:
            person.case = _case(rng, person, moment_of, now)
        people.append(person)
    return people


def born_month_after(birth: date) -> datetime:
    """The first instant of the month after `birth` (UTC)."""
    year, month = (birth.year + 1, 1) if birth.month == 12 else (birth.year, birth.month + 1)
    return datetime(year, month, 1, tzinfo=UTC)


def _case(rng: random.Random, person: Person, moment: object, now: datetime) -> Case:
    when = moment  # a callable(after) -> datetime
    kind = _pick(rng, CASE_TYPES)
    if kind == "livelihoods" and not person.adult:
        kind = "health"
    opened = when()  # type: ignore[operator]
    if kind == "livelihoods":  # room for training (a day) and outcomes before now
        opened = min(opened, now - timedelta(days=10))
    case = Case(kind, opened)
    if kind == "gbv_protection":
        for service, share in (("psychological_first_aid", 0.6), ("gbv_orientation", 0.5)):
            if rng.random() < share:
                case.services.append((service, when(opened)))  # type: ignore[operator]
        if rng.random() < 0.7:
            assistance = rng.choice(["psychosocial", "legal"])
            case.referrals.append(Referral("CEM", assistance, rng.random() < 0.7))
        if rng.random() < 0.2:
            case.complaint_taken_up = rng.random() < 0.5
    elif kind == "mental_health":
        if rng.random() < 0.7:
            case.services.append(("psychological_first_aid", when(opened)))  # type: ignore[operator]
        if rng.random() < 0.5:
            case.referrals.append(Referral("CSMC", "psychosocial", rng.random() < 0.6))
    elif kind == "health":
        if rng.random() < 0.8:
            destination = rng.choice(HEALTH_DESTINATIONS)
            assistance = "health_insurance" if destination == "SIS" else "medical"
            case.referrals.append(Referral(destination, assistance, rng.random() < 0.6))
        if rng.random() < 0.7:
            case.voucher = f"{rng.randint(40, 290)}.00"
            case.voucher_redeemed = rng.random() < 0.85
    elif kind == "migratory_regularization":
        case.services.append(("regularization_orientation", when(opened)))  # type: ignore[operator]
    else:
        case.services.append(("livelihoods_advice", when(opened)))  # type: ignore[operator]
        # Outcomes within five months of the training (which ends the day after enrolment), so
        # "vocational skills used within six months" holds; a job kept six months is recorded
        # only when the year leaves room for it.
        latest = min(opened + timedelta(days=150), now - timedelta(hours=2))
        for outcome in OUTCOMES:
            if rng.random() < 0.35:
                window = latest - opened - timedelta(days=2)
                at = opened + timedelta(days=2) + window * rng.random()
                case.livelihood_outcomes.append((outcome, at))
        obtained = [at for o, at in case.livelihood_outcomes if o == "employment_obtained"]
        kept = obtained[0] + timedelta(days=190) if obtained else None
        if kept is not None and kept < now - timedelta(hours=2):
            case.livelihood_outcomes.append(("employment_kept_6_months", kept))
    return case


def expected(people: list[Person]) -> dict[str, int]:
    """What the logframe counts for this year: unique people (OE1.3: cases) per indicator."""
    counts = dict.fromkeys(
        ["DIRECT", "OE1.1", "OE1.3", "OE2.2", "OE2.4", "OE2.5", "OE2.7", "OE3.6"], 0
    )
    counts |= {f"OE3.{n}": 0 for n in (1, 2, 3, 4, 5)}
    outcome_ids = {
        "employment_obtained": "OE3.1",
        "employment_kept_6_months": "OE3.2",
        "income_increased": "OE3.3",
        "business_started": "OE3.4",
        "vocational_skills_used": "OE3.5",
    }
    for person in people:
        case = person.case
        services = {s for s, _ in case.services} if case else set()
        counts["OE2.5"] += person.health_message is not None
        counts["OE3.6"] += person.income_message is not None or "livelihoods_advice" in services
        counts["DIRECT"] += (
            case is not None
            or person.health_message is not None
            or (person.income_message is not None)
        )
        if case is None:
            continue
        counts["OE2.7"] += "psychological_first_aid" in services
        counts["OE2.2"] += case.voucher_redeemed
        counts["OE2.4"] += any(r.destination in HEALTH_DESTINATIONS for r in case.referrals)
        counts["OE1.3"] += bool(case.complaint_taken_up)
        referred = any(r.completed and r.assistance in ASSISTANCE for r in case.referrals)
        assisted = referred or bool(services & PROJECT_ASSISTANCE)
        counts["OE1.1"] += case.case_type == "gbv_protection" and assisted
        for outcome, _ in case.livelihood_outcomes:
            counts[outcome_ids[outcome]] += 1
    return counts
