"""A row as the commands it stands for: which service, which route, which body.

Bodies are the owning services' request models, so a dry run checks a row exactly as the
service's edge will. Ids the row only names (a participant's reference, the referral the
previous command created) are `{placeholders}` filled at send time (`sending.py`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from deploy.imports.kinds import attribute_column, count_column
from program.load import current_program
from services.cases.acts_requests import (
    EnrolRequest,
    OutcomeRequest,
    ReachRequest,
    StageRequest,
    TrainingRequest,
)
from services.cases.case_requests import DeliverRequest, OpenCaseRequest
from services.cases.group_activity_requests import GroupActivityRequest
from services.cases.participant_requests import ConsentRequest, RegisterRequest
from services.referrals.requests import (
    AcceptRequest,
    CompleteRequest,
    Evidence,
    RecordedAccept,
    RecordedComplete,
    RecordedReject,
    ReferralRequest,
    RejectRequest,
)
from services.vouchers.requests import (
    ApproveRequest,
    IssueRequest,
    RecordedRedemption,
    RedeemRequest,
)

OCCURRED = "occurred_at"
"""The commands' "when it happened" field (issue 25). Where a request model has it, every dated
row feeds it; until then a kind's own field (`opened_at`, ...) where one exists."""


def dated(model: type[BaseModel], own: str | None, moment: datetime | None) -> dict[str, str]:
    """The one place a row's date becomes a command's time of the act."""
    if moment is None:
        return {}
    if OCCURRED in model.model_fields:
        return {OCCURRED: moment.isoformat()}
    if own is not None and own in model.model_fields:
        return {own: moment.isoformat()}
    return {}  # not yet sendable: checked and kept with the row, the service stamps its clock


@dataclass(frozen=True)
class Act:
    """One command of a row. `role` acts for the import (`sending.Signer` mints it);
    `columns` maps body fields back to the file's columns for error messages; `keeps` names
    the answer's fields later acts and rows use."""

    name: str
    service: str
    path: str
    model: type[BaseModel]
    body: dict[str, Any]
    columns: dict[str, str] = field(default_factory=dict)
    role: str = "supervisor"
    keeps: dict[str, str] = field(default_factory=dict)
    by_unit: Act | None = None
    """The same act as the receiving unit sends it, for a unit with its own system account
    (the service refuses an answer recorded on behalf of a unit that answers itself, unless it
    is a supervisor's late entry)."""
    at: datetime | None = None
    """When the act happened (None: now): who may still record it depends on it."""
    recorded: Act | None = None
    """The same act as the importing supervisor records it for its actor, once it is too old
    for the actor to send it (a clinic's claim past the claim window)."""


def _some(**values: Any) -> dict[str, Any]:
    return {
        k: (str(v) if not isinstance(v, (list, bool, int)) else v)
        for k, v in values.items()
        if v is not None
    }


def acts(kind: str, v: dict[str, Any]) -> list[Act]:
    """The commands of a row of `kind` (values as `checking.read_row` reads them)."""
    return _BUILDERS[kind](v)


def _participants(v: dict[str, Any]) -> list[Act]:
    birth = v["birth_date"].date().isoformat() if v["birth_date"] else None
    body = _some(
        given_names=v["given_names"],
        family_names=v["family_names"],
        document_type=v["document_type"],
        document_number=v["document_number"],
        phone=v["phone"],
        sex=v["sex"],
        birth_date=birth,
        estimated_age_years=v["estimated_age_years"],
        nationality=v["nationality"],
        region=v["region"],
        population_type=v.get("population_type"),
        vulnerabilities=v["vulnerabilities"],
    )
    attributes = {
        attribute.code: v[attribute_column(attribute.code)]
        for attribute in current_program().attributes
        if v.get(attribute_column(attribute.code))
    }
    if attributes:
        body["attributes"] = attributes
    body |= dated(RegisterRequest, None, v["registered_on"])
    return [
        Act(
            "register",
            "cases",
            "/participants",
            RegisterRequest,
            body,
            {"occurred_at": "registered_on"},
            keeps={"participant_id": "participant_id", "position": "position"},
        )
    ]


def _consents(v: dict[str, Any]) -> list[Act]:
    body = _some(purposes=v["purposes"], destinations=v["destinations"], given_by=v["given_by"])
    body |= dated(ConsentRequest, None, v["consented_on"])
    return [
        Act(
            "consent",
            "cases",
            "/participants/{participant_id}/consents",
            ConsentRequest,
            body,
            {"occurred_at": "consented_on"},
            keeps={"position": "position"},
        )
    ]


def _cases(v: dict[str, Any]) -> list[Act]:
    body = _some(
        participant_id="{participant_id}",
        case_type=v["case_type"],
        intake_channel=v["intake_channel"],
        urgency=v["urgency"],
        region=v["region"],
        admin2=v["admin2"],
        regularization_profile=v["regularization_profile"],
    )
    body |= dated(OpenCaseRequest, "opened_at", v["opened_on"])
    return [
        Act(
            "open",
            "cases",
            "/cases",
            OpenCaseRequest,
            body,
            {
                "opened_at": "opened_on",
                "occurred_at": "opened_on",
                "participant_id": "participant_ref",
            },
            keeps={"case_id": "case_id", "position": "position"},
        )
    ]


def _services(v: dict[str, Any]) -> list[Act]:
    body = _some(
        service_type=v["service_type"], quantity=v["quantity"], cost=v["cost"], admin2=v["admin2"]
    )
    body |= dated(DeliverRequest, "delivered_at", v["delivered_on"])
    return [
        Act(
            "deliver",
            "cases",
            "/cases/{case_id}/services",
            DeliverRequest,
            body,
            {"delivered_at": "delivered_on", "occurred_at": "delivered_on"},
        )
    ]


def _outreach(v: dict[str, Any]) -> list[Act]:
    body = _some(
        topic=v["topic"], channel=v["channel"], delivery_mode=v["delivery_mode"],
        region=v["region"], admin2=v["admin2"],
    )  # fmt: skip
    body |= dated(ReachRequest, "reached_at", v["reached_on"])
    return [
        Act(
            "reach",
            "cases",
            "/participants/{participant_id}/reaches",
            ReachRequest,
            body,
            {"reached_at": "reached_on", "occurred_at": "reached_on"},
        )
    ]


_LIVELIHOOD: dict[str, tuple[str, type[BaseModel], str]] = {
    "enrolment": ("enrolments", EnrolRequest, "enrolled_at"),
    "stage": ("stages", StageRequest, "scored_at"),
    "training": ("training", TrainingRequest, "finished_at"),
    "outcome": ("outcomes", OutcomeRequest, "observed_at"),
}


def _livelihoods(v: dict[str, Any]) -> list[Act]:
    route, model, own = _LIVELIHOOD[v["record"] or "enrolment"]
    body = _some(program=v["program"])
    if v["record"] == "stage":
        body |= _some(stage=v["stage"], score=v["score"], passed=v["passed"])
    if v["record"] == "outcome":
        body |= _some(outcome=v["outcome"])
    body |= dated(model, own, v["recorded_on"])
    return [
        Act(
            f"livelihood {v['record']}",
            "cases",
            f"/participants/{{participant_id}}/livelihoods/{route}",
            model,
            body,
            {own: "recorded_on", "occurred_at": "recorded_on"},
        )
    ]


def _referrals(v: dict[str, Any]) -> list[Act]:
    shared = {
        name: v[f"shared_{name}"]
        for name in (
            "full_name",
            "contact_phone",
            "preferred_contact_time",
            "document_type",
            "document_number",
            "age_group",
            "sex",
            "pregnant",
        )
        if v[f"shared_{name}"] is not None
    }
    body = _some(
        case_id="{case_id}",
        participant_id="{participant_id}",
        unit_id="{unit_id}",
        region=v["region"],
        admin2=v["admin2"],
        assistance_type=v["assistance_type"],
        reason=v["reason"],
        urgency=v["urgency"],
    ) | {"shared": shared}
    body |= dated(ReferralRequest, None, v["requested_on"])
    columns = {"unit_id": "unit", "occurred_at": "requested_on"}
    columns |= {f"shared.{name}": f"shared_{name}" for name in shared}
    done = [
        Act(
            "refer",
            "referrals",
            "/referrals",
            ReferralRequest,
            body,
            columns,
            keeps={"referral_id": "referral_id"},
        )
    ]
    path = "/referrals/{referral_id}"
    unit_path = "/units/{unit_id}/referrals/{referral_id}"
    answers: tuple[tuple[str, type[BaseModel], type[BaseModel], str, dict[str, Any]], ...] = (
        ("accept", RecordedAccept, AcceptRequest, "accepted_on", {}),
        (
            "reject",
            RecordedReject,
            RejectRequest,
            "rejected_on",
            _some(reason=v["rejection_reason"]),
        ),
        (
            "complete",
            RecordedComplete,
            CompleteRequest,
            "completed_on",
            _some(outcome=v["outcome"]),
        ),
    )
    for name, model, own_model, when, extra in answers:
        if v[when] is None:
            continue
        evidence = {
            "answerer_role": v["answered_by"] or "focal_point",
            "channel": v["answer_channel"] or "phone",
        }
        evidence |= dated(Evidence, "answered_at", v[when])
        columns = {
            "evidence.answered_at": when,
            "reason": "rejection_reason",
            "outcome": "outcome",
            "evidence.answerer_role": "answered_by",
            "evidence.channel": "answer_channel",
            "occurred_at": when,
        }
        by_unit = Act(
            name,
            "referrals",
            f"{unit_path}/{name}",
            own_model,
            extra | dated(own_model, None, v[when]),
            columns,
            role="receiving_service",
            at=v[when],
        )
        done.append(
            Act(
                name,
                "referrals",
                f"{path}/{name}",
                model,
                extra | {"evidence": evidence},
                columns,
                by_unit=by_unit,
                at=v[when],
            )
        )
    return done


def _vouchers(v: dict[str, Any]) -> list[Act]:
    provider = "{provider_id}" if v["provider"] else None
    body = _some(
        case_id="{case_id}",
        participant_id="{participant_id}",
        provider_id=provider,
        region=v["region"],
        admin2=v["admin2"],
        services=v["services"],
        amount=v["amount"],
        urgency=v["urgency"],
        valid_until=v["valid_until"].isoformat(),
    )
    body |= dated(IssueRequest, None, v["issued_on"])
    done = [
        Act(
            "issue",
            "vouchers",
            "/vouchers",
            IssueRequest,
            body,
            {"provider_id": "provider", "occurred_at": "issued_on"},
            keeps={
                "voucher_id": "voucher_id",
                "code": "code",
                "requires_approval": "requires_approval",
            },
        )
    ]
    if v["approved_on"] is not None:
        done.append(
            Act(
                "approve",
                "vouchers",
                "/vouchers/{voucher_id}/approve",
                ApproveRequest,
                dated(ApproveRequest, None, v["approved_on"]),
                {"occurred_at": "approved_on"},
            )
        )
    if v["redeemed_on"] is not None:
        redeem = _some(
            code="{code}",
            amount=v["redeemed_amount"] or v["amount"],
            services=v["redeemed_services"] or v["services"],
            receipt_number=v["receipt_number"],
        )
        redeem |= dated(RedeemRequest, None, v["redeemed_on"])
        columns = {
            "amount": "redeemed_amount",
            "services": "redeemed_services",
            "receipt_number": "receipt_number",
            "occurred_at": "redeemed_on",
        }
        recorded = Act(
            "redeem",
            "vouchers",
            "/redemptions/recorded",
            RecordedRedemption,
            redeem | {"provider_id": "{provider_id}"},
            columns | {"provider_id": "provider"},
            at=v["redeemed_on"],
        )
        done.append(
            Act(
                "redeem",
                "vouchers",
                "/redemptions",
                RedeemRequest,
                redeem,
                columns,
                role="clinic",
                at=v["redeemed_on"],
                recorded=recorded,
            )
        )
    return done


def activity_id(activity_ref: str) -> uuid.UUID:
    """The activity's id from the program's reference: one row, one activity, however often
    the file is imported."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"pana:import:group_activities:{activity_ref}")


def _group_activities(v: dict[str, Any]) -> list[Act]:
    program = current_program()
    answered = [
        (count_column(sex, age), {"sex": sex, "age_group": age, "count": v[count_column(sex, age)]})
        for sex in program.ordered("sex")
        for age in program.ordered("age_group")
        if v.get(count_column(sex, age)) is not None
    ]
    # Zeros left out, unless all are: then the service's reason is the total, not "no cells".
    cells = [c for c in answered if c[1]["count"] != 0] or answered
    first = count_column(program.ordered("sex")[0], program.ordered("age_group")[0])
    counts = cells[0][0] if cells else first  # where the total's refusal (no location) is shown
    columns = {"held_at": "held_on", "headcounts": counts, "": counts}
    columns |= {f"headcounts.{i}.count": column for i, (column, _) in enumerate(cells)}
    body = _some(
        activity_id=str(activity_id(v["activity_ref"])),
        kind=v["kind"],
        region=v["region"],
    ) | {"headcounts": [cell for _, cell in cells]}
    body |= dated(GroupActivityRequest, "held_at", v["held_on"])
    return [
        Act(
            "record",
            "cases",
            "/group-activities",
            GroupActivityRequest,
            body,
            columns,
            keeps={"activity_id": "activity_id", "position": "position"},
        )
    ]


_BUILDERS = {
    "participants": _participants,
    "consents": _consents,
    "cases": _cases,
    "services": _services,
    "outreach": _outreach,
    "livelihoods": _livelihoods,
    "referrals": _referrals,
    "vouchers": _vouchers,
    "group_activities": _group_activities,
}
