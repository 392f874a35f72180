"""Caseworker and supervisor: record a group activity (a fair, a talk, a campaign, a post) with
how many people of each sex and age group took part; no one is named.

The grid is the program's sexes by its age groups; the cells sent are those with a count, as the
field form sends them (`POST /group-activities` of the cases service judges the rest).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from program.load import current_program
from web.context import Signed, SignedIn
from web.days import typed_day
from web.services import ServiceRefusal

router = APIRouter()
Text = Annotated[str, Form()]


def cell_name(sex: str, age_group: str) -> str:
    """The form field of one sex and age group's count."""
    return f"count_{sex}_{age_group}"


def cells(form: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The counts typed in the grid as the request's cells (blank and 0 left out; what is not
    a whole number is sent as typed, for the service to refuse by name)."""
    program = current_program()
    found = []
    for sex in program.ordered("sex"):
        for age in program.ordered("age_group"):
            text = str(form.get(cell_name(sex, age)) or "").strip()
            if text in ("", "0"):
                continue
            count: int | str = int(text) if text.isdigit() else text
            found.append({"sex": sex, "age_group": age, "count": count})
    return found


def _region(signed: Signed) -> str:
    principal = signed.principal
    regions = sorted(principal.regions) if principal and principal.regions else []
    return regions[0] if regions else current_program().ordered("territory")[0]


def _page(signed: Signed, key: str, form: Mapping[str, Any], **more: Any) -> Response:
    program, lang = current_program(), signed.language
    return signed.render(
        "group_activity.html",
        key=key,
        region=_region(signed),
        kinds=[(t.code, getattr(t.labels, lang)) for t in program.terms("group_activity_kind")],
        sexes=[(t.code, getattr(t.labels, lang)) for t in program.terms("sex")],
        ages=[(t.code, signed.t(f"code.{t.code}")) for t in program.terms("age_group")],
        cell=cell_name,
        form=form,
        **more,
    )


@router.get("/actividades/nueva")
async def new_activity(signed: SignedIn) -> Response:
    return _page(signed, str(uuid.uuid4()), {})


@router.post("/actividades/nueva")
async def record(
    request: Request, signed: SignedIn, csrf: Text, key: Text, kind: Text, held_on: Text = ""
) -> Response:
    signed.check_csrf(csrf)
    form = dict(await request.form())
    counted = cells(form)
    if not counted:  # said in the page's language; the service would answer in its own
        refused = ServiceRefusal(422, None, signed.t("activity.nobody"))
        return _page(signed, key, form, refusal=refused, status_code=422)
    body: dict[str, Any] = {"kind": kind, "region": _region(signed), "headcounts": counted}
    if held_on.strip():
        if (day := typed_day(held_on)) is None:
            bad = signed.t("day.bad", field=signed.t("activity.held_on"), value=held_on.strip())
            return _page(signed, key, form, refusal=ServiceRefusal(422, None, bad), status_code=422)
        body["held_at"] = held_at(day.isoformat())
    try:
        made = await signed.services.call(
            signed.token, "cases", "POST", "/group-activities", json=body,
            headers={"Idempotency-Key": key or str(uuid.uuid4())},
        )  # fmt: skip
    except ServiceRefusal as refused:
        return _page(signed, key, form, refusal=refused, status_code=422)
    return signed.render(
        "message.html",
        kind="ok",
        title=signed.t("activity.done"),
        text=signed.t("activity.recorded", total=made.get("total", "")),
        back="/actividades/nueva",
    )


def held_at(day: str) -> str:
    """A day written on the page as midday in the program's time zone (as imports date it);
    what is not a date is sent as typed, for the service to refuse by name."""
    try:
        moment = datetime.combine(
            date.fromisoformat(day), time(12), ZoneInfo(current_program().timezone)
        )
    except ValueError:
        return day
    return moment.isoformat()
