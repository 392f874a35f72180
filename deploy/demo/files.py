"""A planned year (`plan.py`) as import files, one CSV per kind (docs/import.md).

What the demo player sends through the APIs, written as a program's records would be: the
integration test imports them and checks the logframe's figures against `plan.expected`, and
the benchmark imports them against the player's way. Legal complaints are not an import kind:
the people's complaints are left out of the files (clear them from the plan to compare).
`answered`: when the units' answers are dated (None: the file has no answers yet).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import cast

from deploy.demo.acts import OUTCOMES, PROGRAM, REASONS
from deploy.demo.plan import SHARED, Person
from deploy.imports.kinds import KINDS

ORDER = (
    "participants",
    "consents",
    "cases",
    "services",
    "outreach",
    "livelihoods",
    "referrals",
    "vouchers",
)
"""The order files are imported in: what a row names is imported before it."""


def unit_name(region: str, destination: str) -> str:
    return f"{destination} {region} (demo)"


def provider_name(region: str) -> str:
    return f"Clínica {region} (demo)"


def year_files(
    people: list[Person], now: datetime, folder: Path, answered: datetime | None = None
) -> dict[str, Path]:
    """Write the files into `folder`; their paths by kind."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for kind in ORDER:
        paths[kind] = folder / f"{kind}.csv"
        paths[kind].write_text(as_csv(kind, list(rows(kind, people, now, answered))))
    return paths


def as_csv(kind: str, records: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, KINDS[kind].names, lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue()


def _day(moment: datetime) -> str:
    return moment.isoformat()


def rows(
    kind: str, people: list[Person], now: datetime, answered: datetime | None = None
) -> Iterator[dict[str, str]]:
    """The records of `kind` for the planned year."""
    before_the_year = now - timedelta(days=366)
    for p in people:
        # Known before any act of the year, once born (a baby is registered at birth).
        registered = max(before_the_year, datetime.combine(p.birth_date, time(), UTC))
        ref = f"P-{p.number:06d}"
        case, case_ref = p.case, f"C-{p.number:06d}"
        if kind == "participants":
            yield {
                "participant_ref": ref,
                "registered_on": _day(registered),
                "given_names": "Persona",
                "family_names": f"Demo {p.number:05d}",
                "document_type": "ptp",
                "document_number": f"DEMO{p.number:07d}",
                "phone": f"+51 9{p.number:08d}",
                "sex": p.sex,
                "birth_date": p.birth_date.isoformat(),
                "nationality": "VEN" if p.number % 10 else "PER",
                "region": p.region,
            }
        elif kind == "consents":
            yield {
                "participant_ref": ref,
                "consented_on": _day(registered),
                "purposes": "services;referral_sharing;monitoring_evaluation",
                "given_by": "participant" if p.adult else "guardian",
            }
        elif kind == "outreach":
            for topic, at in (
                ("health_services", p.health_message),
                ("income_generation", p.income_message),
            ):
                if at is not None:
                    remote = topic == "income_generation"
                    yield {
                        "participant_ref": ref,
                        "topic": topic,
                        "region": p.region,
                        "channel": "whatsapp" if remote else "fair",
                        "delivery_mode": "remote" if remote else "in_person",
                        "reached_on": _day(at),
                    }
        elif case is None:
            continue
        elif kind == "cases":
            yield {
                "case_ref": case_ref,
                "participant_ref": ref,
                "opened_on": _day(case.opened),
                "case_type": case.case_type,
                "intake_channel": "admission_form",
                "region": p.region,
                "regularization_profile": "expired_permit_and_fines"
                if case.case_type == "migratory_regularization"
                else "",
            }
        elif kind == "services":
            for service, at in case.services:
                yield {"case_ref": case_ref, "service_type": service, "delivered_on": _day(at)}
        elif kind == "livelihoods" and case.livelihood_outcomes:
            yield {
                "participant_ref": ref,
                "record": "enrolment",
                "program": PROGRAM,
                "recorded_on": _day(case.opened),
            }
            yield {
                "participant_ref": ref,
                "record": "training",
                "program": PROGRAM,
                "recorded_on": _day(case.opened + timedelta(days=1)),
            }
            for outcome, at in sorted(case.livelihood_outcomes, key=lambda item: item[1]):
                yield {
                    "participant_ref": ref,
                    "record": "outcome",
                    "program": PROGRAM,
                    "outcome": outcome,
                    "recorded_on": _day(at),
                }
        elif kind == "referrals":
            for n, r in enumerate(case.referrals):
                share = cast(Callable[[Person], dict[str, object]], SHARED[r.destination])
                shared = {f"shared_{k}": str(v) for k, v in share(p).items()}
                record = {
                    "referral_ref": f"R-{p.number:06d}-{n}",
                    "case_ref": case_ref,
                    "unit": unit_name(p.region, r.destination),
                    "region": p.region,
                    "requested_on": _day(case.opened + timedelta(hours=1)),
                    "assistance_type": r.assistance,
                    "reason": REASONS[r.destination],
                    "urgency": "routine",
                } | shared
                if r.completed and answered is not None:
                    record |= {
                        "accepted_on": _day(answered),
                        "completed_on": _day(answered),
                        "outcome": OUTCOMES[r.destination],
                        "answered_by": "focal_point",
                        "answer_channel": "phone",
                    }
                yield record
        elif kind == "vouchers" and case.voucher is not None:
            # Issued lately (a clinic's claim for a service must come within a bounded delay).
            issued = max(case.opened + timedelta(hours=1), now - timedelta(days=2))
            record = {
                "voucher_ref": f"V-{p.number:06d}",
                "case_ref": case_ref,
                "provider": provider_name(p.region),
                "region": p.region,
                "services": "consultation;medicines",
                "amount": case.voucher,
                "valid_until": (now + timedelta(days=60)).date().isoformat(),
                "issued_on": _day(issued),
            }
            if case.voucher_redeemed:
                record |= {
                    "redeemed_on": _day(issued + timedelta(minutes=30)),
                    "redeemed_amount": case.voucher,
                    "redeemed_services": "consultation",
                    "receipt_number": f"DEMO-{p.number:06d}",
                }
            yield record
