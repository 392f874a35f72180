"""A form's answers as the API's request bodies, validated by the same request models.

Servers send answers as text (Kobo) or typed JSON (ODK Central); each is read by its question's
type (an integer, a space-separated multiple choice). A body the API would refuse for shape is
refused here with the same model's reason, naming the field but never its value.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from eventkit.decider import RefusalKind, Refused
from program.load import current_program
from services.cases.acts_requests import OutcomeRequest, OutreachRequest
from services.cases.case_requests import DeliverRequest
from services.cases.field_forms.forms import attribute_question, count_question
from services.cases.field_forms.xlsform import Form
from services.cases.group_activity_requests import GroupActivityRequest
from services.cases.participant_requests import ConsentRequest, RegisterRequest

_M = TypeVar("_M", bound=BaseModel)


def typed(form: Form, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers to `form`'s questions, each as its question's type says."""
    questions = form.questions()
    found: dict[str, Any] = {}
    for name, value in answers.items():
        question = questions.get(name)
        multiple = question is not None and question.type.startswith("select_multiple")
        if multiple:  # Kobo and ODK send "a b"; a supervisor's correction may send a list
            found[name] = [str(v) for v in value] if isinstance(value, list) else str(value).split()
        elif isinstance(value, list):
            found[name] = [typed(form, item) for item in value if isinstance(item, Mapping)]
        elif question is None:
            continue
        elif question.type == "integer":
            found[name] = _integer(name, value)
        else:
            found[name] = str(value)
    return found


def _integer(name: str, value: object) -> object:
    try:
        return int(str(value))
    except ValueError:
        return value  # the request model names the field


def _cost(value: object) -> str | None:
    """`180` or `180.5` as typed on a phone, as the API's money text (`180.50`)."""
    if value is None:
        return None
    try:
        return f"{Decimal(str(value)):.2f}"
    except InvalidOperation:
        return str(value)


def _model(model: Callable[..., _M], **fields: Any) -> _M:
    try:
        return model(**{k: v for k, v in fields.items() if v is not None})
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "answers"
        said = first["msg"]  # a validator may quote the answer (an unknown code): never kept
        given = first.get("input")
        if isinstance(given, str) and given:
            said = said.replace(given, "…")
        elif isinstance(given, Mapping):  # the attributes: each answer is quoted when unknown
            for value in given.values():
                said = said.replace(repr(value), "'…'")
        raise Refused("invalid_answer", f"{where}: {said}", RefusalKind.INVALID) from None


def _id(answers: Mapping[str, Any], name: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(answers.get(name)))
    except ValueError:
        raise Refused("invalid_answer", f"{name}: not an id", RefusalKind.INVALID) from None


_PERSON = (
    "given_names", "family_names", "document_type", "document_number", "phone", "sex",
    "birth_date", "estimated_age_years", "nationality", "region", "vulnerabilities",
)  # fmt: skip


def registration(
    answers: Mapping[str, Any], at: datetime | None = None
) -> tuple[RegisterRequest, ConsentRequest | None]:
    """The registration (the attributes answered, `attribute_<code>`, as its `attributes`), and
    the consent given with it (None when not given), both dated `at` (when the form was filled
    in; None: when the service records them)."""
    attributes = {
        attribute.code: answers[attribute_question(attribute.code)]
        for attribute in current_program().attributes
        if answers.get(attribute_question(attribute.code))
    }
    person = _model(
        RegisterRequest, occurred_at=at, population_type=answers.get("population_type"),
        attributes=attributes, **{name: answers.get(name) for name in _PERSON},
    )  # fmt: skip
    if answers.get("consent_given") != "yes":
        return person, None
    consent = _model(
        ConsentRequest, purposes=answers.get("purposes"),
        destinations=answers.get("destinations"), given_by=answers.get("given_by"), occurred_at=at,
    )  # fmt: skip
    return person, consent


def services(answers: Mapping[str, Any], at: datetime) -> tuple[uuid.UUID, DeliverRequest]:
    body = _model(
        DeliverRequest, service_type=answers.get("service_type"),
        quantity=answers.get("quantity"), cost=_cost(answers.get("cost")), delivered_at=at,
        admin2=answers.get("admin2") or None,
    )  # fmt: skip
    return _id(answers, "case_id"), body


def outreach(answers: Mapping[str, Any], at: datetime) -> OutreachRequest:
    attendees = answers.get("attendees") or []
    return _model(
        OutreachRequest, participant_ids=[a.get("participant_id") for a in attendees],
        topic=answers.get("topic"), channel=answers.get("channel"),
        delivery_mode=answers.get("delivery_mode"), region=answers.get("region"),
        admin2=answers.get("admin2") or None, reached_at=at,
    )  # fmt: skip


def livelihood(answers: Mapping[str, Any], at: datetime) -> tuple[uuid.UUID, OutcomeRequest]:
    body = _model(
        OutcomeRequest, program=answers.get("program"), outcome=answers.get("outcome"),
        observed_at=at,
    )  # fmt: skip
    return _id(answers, "participant_id"), body


def activity_id(instance_id: str) -> uuid.UUID:
    """The id of the activity a submission records: one submission, one activity, however often
    it is sent, corrected or re-applied."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"pana:field_submission:{instance_id}")


def group_activity(
    answers: Mapping[str, Any], at: datetime, activity: uuid.UUID | None = None
) -> GroupActivityRequest:
    """The activity with its cells (`count_<sex>_<age group>` answers, zeros left out), held
    at `at`, with the id `activity` (`activity_id` of its submission)."""
    program = current_program()
    answered = [
        {"sex": sex, "age_group": age, "count": answers.get(count_question(sex, age))}
        for sex in program.ordered("sex")
        for age in program.ordered("age_group")
        if answers.get(count_question(sex, age)) is not None
    ]
    # Zeros left out, unless all are zero: then the model's reason is the total, not "no cells".
    cells = [c for c in answered if c["count"] != 0] or answered
    return _model(
        GroupActivityRequest, activity_id=activity, kind=answers.get("kind"),
        region=answers.get("region"), headcounts=cells, held_at=at,
    )  # fmt: skip
