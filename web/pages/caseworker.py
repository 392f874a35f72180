"""Caseworker and supervisor: find or register a person, consent, cases, services, referrals,
vouchers (with a printable slip), the region's cases and overdue referrals.

Every write carries an Idempotency-Key made when the form was drawn (a double click or a
resent form records once). Referrals and vouchers pass the cases service's positions this
session wrote as `Pana-After`, so a referral right after the consent finds it.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from access.actors import actor_id
from program.ages import age_group_at
from program.load import current_program
from services.referrals.shared_minimum import needs
from web.amounts import amount as typed_amount
from web.coarse_attributes import answers, questions
from web.context import Signed, SignedIn
from web.days import typed_day
from web.qr import qr_svg
from web.services import ServiceRefusal
from web.vocabulary import (
    ASSISTANCE,
    CASE_TYPES,
    CHOICES,
    CLOSURE_REASONS,
    CONSENT_PURPOSES,
    DESTINATIONS,
    DOCUMENT_TYPES,
    INTAKE_CHANNELS,
    REASSIGNMENT_REASONS,
    REFERRAL_REASONS,
    REGIONS,
    REOPENING_REASONS,
    SERVICE_TYPES,
    SEXES,
    VOUCHER_SERVICES,
    WITHDRAWAL_REASONS,
)

router = APIRouter()
Text = Annotated[str, Form()]
Checked = Annotated[list[str], Form()]


def _region(signed: Signed) -> str:
    principal = signed.principal
    return sorted(principal.regions)[0] if principal and principal.regions else REGIONS[0]


def _key(key: str) -> dict[str, str]:
    return {"Idempotency-Key": key or str(uuid.uuid4())}


def _after(signed: Signed) -> dict[str, str]:
    positions = signed.session.positions
    return {"Pana-After": ",".join(positions[-8:])} if positions else {}


async def _wrote(signed: Signed, answer: Any) -> None:
    if isinstance(answer, dict) and answer.get("position"):
        kept = signed.session.positions
        kept.append(str(answer["position"]))
        del kept[:-8]
        await signed.save()


@router.get("/casos")
async def cases(signed: SignedIn, estado: str = "open") -> Response:
    region = _region(signed)
    listed = await signed.services.call(
        signed.token,
        "cases",
        "GET",
        "/cases",
        params={"region": region, "status": estado, "limit": 50, "sort": "-opened_at"},
    )
    overdue = await signed.services.call(
        signed.token, "referrals", "GET", "/referrals/overdue", params={"region": region}
    )
    return signed.render("cases.html", cases=listed, overdue=overdue, region=region)


@router.post("/personas/buscar")
async def search(
    signed: SignedIn, csrf: Text, document_number: Text = "", phone: Text = "", code: Text = ""
) -> Response:
    signed.check_csrf(csrf)
    if code.strip():
        try:
            return RedirectResponse(f"/personas/{uuid.UUID(code.strip())}", status_code=303)
        except ValueError:  # a mistyped code is said plainly, not answered as a server error
            refused = ServiceRefusal(422, None, signed.t("search.bad_code"))
            return signed.render("search.html", matches=[], refusal=refused, status_code=422)
    body = {
        k: v.strip()
        for k, v in (("document_number", document_number), ("phone", phone))
        if v.strip()
    }
    matches: dict[str, Any] = {"matches": []}
    refusal = None
    if body:
        try:
            matches = await signed.services.call(
                signed.token, "cases", "POST", "/participants/search", json=body
            )
        except ServiceRefusal as refused:
            refusal = refused
    return signed.render("search.html", matches=matches["matches"], refusal=refusal)


@router.get("/personas/nueva")
async def new_person(signed: SignedIn) -> Response:
    return signed.render(
        "person_new.html",
        key=str(uuid.uuid4()),
        documents=DOCUMENT_TYPES,
        sexes=SEXES,
        region=_region(signed),
        questions=questions(signed.language),
        form={},
        picked={},
    )


@router.post("/personas/nueva")
async def register(
    request: Request,
    signed: SignedIn,
    csrf: Text,
    key: Text,
    given_names: Text,
    family_names: Text,
    sex: Text,
    birth_date: Text,
    document_type: Text = "none",
    document_number: Text = "",
    phone: Text = "",
    nationality: Text = "VEN",
) -> Response:
    signed.check_csrf(csrf)
    born = typed_day(birth_date)
    body: dict[str, Any] = {
        "given_names": given_names,
        "family_names": family_names,
        "sex": sex,
        "birth_date": born.isoformat() if born else birth_date,
        "document_type": document_type,
        "nationality": nationality.strip().upper() or "VEN",
        "region": _region(signed),
    }
    if document_number.strip():
        body["document_number"] = document_number.strip()
    if phone.strip():
        body["phone"] = phone.strip()
    picked = dict(await request.form())
    body.update(answers(picked))
    try:
        if born is None:  # said in the page's language, nothing sent
            bad = signed.t("day.bad", field=signed.t("person.birth_date"), value=birth_date)
            raise ServiceRefusal(422, None, bad)
        made = await signed.services.call(
            signed.token, "cases", "POST", "/participants", json=body, headers=_key(key)
        )
    except ServiceRefusal as refused:
        return signed.render(
            "person_new.html",
            key=key,
            documents=DOCUMENT_TYPES,
            sexes=SEXES,
            region=_region(signed),
            questions=questions(signed.language),
            form={**body, "birth_date": birth_date},  # as typed
            picked=picked,
            refusal=refused,
            status_code=422,
        )
    await _wrote(signed, made)
    return signed.render("registered.html", made=made)


@router.get("/personas/{participant_id}")
async def person(signed: SignedIn, participant_id: uuid.UUID) -> Response:
    found = await signed.services.call(
        signed.token, "cases", "GET", f"/participants/{participant_id}"
    )
    consents = await signed.services.call(
        signed.token, "cases", "GET", f"/participants/{participant_id}/consents"
    )
    standing = sorted({p for c in consents["consents"] for p in c["standing"]})
    return signed.render(
        "person.html",
        person=found,
        consents=consents["consents"],
        standing=standing,
        purposes=CONSENT_PURPOSES,
        destinations=DESTINATIONS,
        case_types=CASE_TYPES,
        channels=INTAKE_CHANNELS,
        region=_region(signed),
        provinces=provinces_of(_region(signed)),
        consent_key=str(uuid.uuid4()),
        case_key=str(uuid.uuid4()),
        withdrawal_reasons=WITHDRAWAL_REASONS,
    )


@router.post("/personas/{participant_id}/consentimiento")
async def consent(
    signed: SignedIn,
    participant_id: uuid.UUID,
    csrf: Text,
    key: Text,
    purposes: Checked,
    destinations: Checked = [],  # noqa: B006
    given_by: Text = "participant",
) -> Response:
    signed.check_csrf(csrf)
    body: dict[str, Any] = {"purposes": purposes, "given_by": given_by}
    if "referral_sharing" in purposes:
        body["destinations"] = destinations
    made = await command(signed, "cases", f"/participants/{participant_id}/consents", body, key)
    if isinstance(made, Response):
        return made
    return RedirectResponse(f"/personas/{participant_id}", status_code=303)


@router.post("/personas/{participant_id}/casos")
async def open_case(
    signed: SignedIn,
    participant_id: uuid.UUID,
    csrf: Text,
    key: Text,
    case_type: Text,
    intake_channel: Text,
    admin2: Text = "",
) -> Response:
    """Open a case in the signed-in person's region, optionally naming the province inside it
    (the R4V 5W's Admin2); a province not of that region (a page drawn before the person's
    regions changed, or an altered form) is said in the page's language and nothing is sent."""
    signed.check_csrf(csrf)
    region, back = _region(signed), f"/personas/{participant_id}"
    if admin2 and admin2 not in provinces_of(region):
        rule = "admin2_outside_region"
        return signed.refused(ServiceRefusal(422, rule, signed.t(f"rule.{rule}")), back)
    body = {
        "participant_id": str(participant_id),
        "case_type": case_type,
        "intake_channel": intake_channel,
        "region": region,
    }
    body = with_province(body, admin2)
    made = await command(signed, "cases", "/cases", body, key, back=back)
    if isinstance(made, Response):
        return made
    return RedirectResponse(f"/casos/{made['case_id']}", status_code=303)


@router.get("/casos/{case_id}")
async def case(signed: SignedIn, case_id: uuid.UUID) -> Response:
    found = await signed.services.call(signed.token, "cases", "GET", f"/cases/{case_id}")
    referrals = await signed.services.call(
        signed.token,
        "referrals",
        "GET",
        "/referrals",
        params={"region": found["region"]},
        headers=_after(signed),
    )
    units = await signed.services.call(
        signed.token, "referrals", "GET", "/units", params={"region": found["region"]}
    )
    providers = await signed.services.call(
        signed.token, "vouchers", "GET", "/providers", params={"region": found["region"]}
    )
    return signed.render(
        "case.html",
        case=found,
        closure_reasons=CLOSURE_REASONS,
        reopening_reasons=REOPENING_REASONS,
        reassignment_reasons=REASSIGNMENT_REASONS,
        caseworkers=await _caseworkers(signed, found),
        me=_me(signed),
        regions=sorted(signed.principal.regions) if signed.principal else [],
        change_key=f"{case_id}-{found['version']}",
        services=SERVICE_TYPES,
        provinces=provinces_of(found["region"]),
        voucher_services=VOUCHER_SERVICES,
        referrals=[r for r in referrals if r["case_id"] == str(case_id)],
        units=[u for u in units if u["active"]],
        providers=[p for p in providers if p["active"]],
        service_key=str(uuid.uuid4()),
        voucher_key=str(uuid.uuid4()),
        valid_until=(date.today() + timedelta(days=30)).isoformat(),
    )


@router.post("/casos/{case_id}/servicios")
async def deliver(
    signed: SignedIn,
    case_id: uuid.UUID,
    csrf: Text,
    key: Text,
    service_type: Text,
    cost: Text = "",
    admin2: Text = "",
) -> Response:
    signed.check_csrf(csrf)
    body: dict[str, Any] = {"service_type": service_type}  # delivered now: the service's clock
    body = with_province(body, admin2)  # optional: the R4V 5W's Admin2
    if cost.strip():  # in the program's currency (the request's default)
        if (read := typed_amount(cost)) is None:
            refused = ServiceRefusal(422, None, signed.t("amount.bad"))
            return signed.refused(refused, f"/casos/{case_id}")
        body |= {"cost": read}
    made = await command(signed, "cases", f"/cases/{case_id}/services", body, key)
    if isinstance(made, Response):
        return made
    return RedirectResponse(f"/casos/{case_id}?hecho=servicio", status_code=303)


@router.get("/casos/{case_id}/derivar")
async def refer_form(signed: SignedIn, case_id: uuid.UUID, unit_id: uuid.UUID) -> Response:
    found = await signed.services.call(signed.token, "cases", "GET", f"/cases/{case_id}")
    units = await signed.services.call(
        signed.token, "referrals", "GET", "/units", params={"region": found["region"]}
    )
    unit = next(u for u in units if u["unit_id"] == str(unit_id))
    person = await signed.services.call(
        signed.token, "cases", "GET", f"/participants/{found['participant_id']}"
    )
    fields = sorted(needs(unit["destination"]))
    return signed.render(
        "refer.html",
        case=found,
        unit=unit,
        fields=fields,
        values=_shared_values(person),
        reasons=REFERRAL_REASONS,
        assistance=ASSISTANCE,
        choices=CHOICES,
        provinces=provinces_of(found["region"]),
        key=str(uuid.uuid4()),
    )


def provinces_of(region: str) -> list[str]:
    """The program's admin2 units inside `region`, which an act there may name (the R4V 5W's
    Admin2); none for a program without a level below the recorded one."""
    return [u.code for u in current_program().territories.admin2() if u.parent == region]


def with_province(body: dict[str, Any], admin2: str) -> dict[str, Any]:
    """`body` with the province chosen, if one was (none chosen: the event carries none)."""
    return body | {"admin2": admin2} if admin2 else body


@router.post("/casos/{case_id}/derivar")
async def refer(
    signed: SignedIn,
    case_id: uuid.UUID,
    csrf: Text,
    key: Text,
    unit_id: Text,
    participant_id: Text,
    region: Text,
    reason: Text,
    assistance_type: Text,
    urgency: Text = "routine",
    full_name: Text = "",
    contact_phone: Text = "",
    preferred_contact_time: Text = "",
    document_type: Text = "",
    document_number: Text = "",
    age_group: Text = "",
    sex: Text = "",
    pregnant: Text = "",
    admin2: Text = "",
) -> Response:
    signed.check_csrf(csrf)
    offered = {
        "full_name": full_name,
        "contact_phone": contact_phone,
        "preferred_contact_time": preferred_contact_time,
        "document_type": document_type,
        "document_number": document_number,
        "age_group": age_group,
        "sex": sex,
    }
    shared: dict[str, Any] = {k: v.strip() for k, v in offered.items() if v.strip()}
    if pregnant:
        shared["pregnant"] = pregnant == "true"
    body = {
        "case_id": str(case_id),
        "participant_id": participant_id,
        "unit_id": unit_id,
        "region": region,
        "reason": reason,
        "assistance_type": assistance_type,
        "urgency": urgency,
        "shared": shared,
    }
    body = with_province(body, admin2)
    made = await command(signed, "referrals", "/referrals", body, key, after=True)
    if isinstance(made, Response):
        return made
    return RedirectResponse(f"/casos/{case_id}?hecho=derivacion", status_code=303)


@router.post("/casos/{case_id}/vales")
async def issue(
    signed: SignedIn,
    case_id: uuid.UUID,
    csrf: Text,
    key: Text,
    participant_id: Text,
    region: Text,
    provider_id: Text,
    amount: Text,
    services: Checked,
    valid_until: Text,
    admin2: Text = "",
) -> Response:
    signed.check_csrf(csrf)
    if (read := typed_amount(amount)) is None:
        refused = ServiceRefusal(422, None, signed.t("amount.bad"))
        return signed.refused(refused, f"/casos/{case_id}")
    if (last_day := typed_day(valid_until)) is None:
        bad = signed.t("day.bad", field=signed.t("voucher.valid_until"), value=valid_until)
        return signed.refused(ServiceRefusal(422, None, bad), f"/casos/{case_id}")
    body = {
        "case_id": str(case_id),
        "participant_id": participant_id,
        "region": region,
        "provider_id": provider_id,
        "services": services,
        "amount": read,
        "valid_until": end_of_day(last_day.isoformat()),
    }
    body = with_province(body, admin2)
    made = await command(signed, "vouchers", "/vouchers", body, key, after=True)
    if isinstance(made, Response):
        return made
    return RedirectResponse(f"/vales/{made['voucher_id']}", status_code=303)


def end_of_day(day: str) -> str:
    """A voucher's last day as its last second in the program's time zone (it was Peru's offset,
    written here); what is not a date is sent as typed, for the service to refuse by name."""
    try:
        zone = ZoneInfo(current_program().timezone)
        return datetime.combine(date.fromisoformat(day), time(23, 59, 59), zone).isoformat()
    except ValueError:
        return day


@router.get("/vales/{voucher_id}")
async def slip(signed: SignedIn, voucher_id: uuid.UUID) -> Response:
    voucher = await signed.services.call(
        signed.token, "vouchers", "GET", f"/vouchers/{voucher_id}", headers=_after(signed)
    )
    providers = await signed.services.call(signed.token, "vouchers", "GET", "/providers")
    provider = next((p for p in providers if p["provider_id"] == voucher["provider_id"]), None)
    return signed.render(
        "slip.html", voucher=voucher, provider=provider, qr=qr_svg(voucher["qr_payload"])
    )


async def command(
    signed: Signed,
    service: str,
    path: str,
    body: dict[str, Any],
    key: str,
    *,
    after: bool = False,
    back: str = "/casos",
    version: str = "",
) -> Any:
    """POST a command as the person (Idempotency-Key; `If-Match` when the form showed a
    version); the answer, or the page that says what the service refused."""
    headers = {**_key(key), **(_after(signed) if after else {})}
    if version:
        headers["If-Match"] = f'"{version}"'
    try:
        made = await signed.services.call(
            signed.token, service, "POST", path, json=body, headers=headers
        )
    except ServiceRefusal as refused:
        return signed.refused(refused, back)
    if service == "cases":
        await _wrote(signed, made)
    return made


def _shared_values(person: dict[str, Any]) -> dict[str, str]:
    personal = person.get("personal") or {}
    values = {
        "full_name": " ".join(
            filter(None, (personal.get("given_names"), personal.get("family_names")))
        ),
        "contact_phone": personal.get("phone") or "",
        "document_type": personal.get("document_type") or "",
        "document_number": personal.get("document_number") or "",
        "sex": person.get("sex") or "",
    }
    if person.get("birth_year_month"):
        values["age_group"] = age_group_at(
            current_program(), person["birth_year_month"], date.today()
        )
    return values


@router.post("/personas/{participant_id}/fusion")
async def merge(
    signed: SignedIn,
    participant_id: uuid.UUID,
    csrf: Text,
    key: Text,
    into: Text,
    reason: Text,
    version: Text,
) -> Response:
    """A supervisor merges this duplicate record into the surviving one (If-Match: the version
    the page showed, so a record changed meanwhile is not merged blind)."""
    signed.check_csrf(csrf)
    try:
        body = {"into_participant_id": str(uuid.UUID(into.strip())), "reason": reason}
    except ValueError:
        refused = ServiceRefusal(422, None, signed.t("search.bad_code"))
        return signed.refused(refused, f"/personas/{participant_id}")
    try:
        await signed.services.call(
            signed.token,
            "cases",
            "POST",
            f"/participants/{participant_id}/merge",
            json=body,
            headers={**_key(key), "If-Match": f'"{version}"'},
        )
    except ServiceRefusal as refused:
        return signed.refused(refused, f"/personas/{participant_id}")
    return RedirectResponse(f"/personas/{body['into_participant_id']}", status_code=303)


@router.post("/vales/{voucher_id}/aprobar")
async def approve(signed: SignedIn, voucher_id: uuid.UUID, csrf: Text, key: Text) -> Response:
    """A supervisor approves a voucher above the standard cap."""
    signed.check_csrf(csrf)
    made = await command(signed, "vouchers", f"/vouchers/{voucher_id}/approve", {}, key)
    if isinstance(made, Response):
        return made
    return RedirectResponse(f"/vales/{voucher_id}", status_code=303)


def _me(signed: Signed) -> str:
    """The signed-in person's pseudonymous id, as the services write it in a case."""
    return str(actor_id(signed.principal)) if signed.principal else ""


async def _caseworkers(signed: Signed, case: dict[str, Any]) -> list[tuple[str, str]]:
    """Whom the case may be handed to: the signed-in person, then the caseworkers with open
    cases in its region (pseudonymous ids: the platform keeps no staff directory), each with
    a label; the case's own caseworker is left out."""
    me = _me(signed)
    listed = await signed.services.call(
        signed.token, "cases", "GET", "/cases",
        params={"region": case["region"], "status": "open", "limit": 200},
    )  # fmt: skip
    others = sorted({c["caseworker_id"] for c in listed["items"]} - {me})
    found = [(me, signed.t("reassign.me"))] if me else []
    found += [(c, signed.t("reassign.colleague", code=c[:8])) for c in others]
    return [(c, label) for c, label in found if c != case["caseworker_id"]]


REASON_CODE = re.compile(r"[a-z0-9][a-z0-9_.-]{0,39}")
"""`contracts.scalars.ReasonCode`: a short code, never free text (no names in events)."""


@router.post("/casos/{case_id}/cierre")
async def close(
    signed: SignedIn,
    case_id: uuid.UUID,
    csrf: Text,
    key: Text,
    version: Text,
    reason: Text,
    reason_code: Text = "",
) -> Response:
    """Close the case (If-Match: the version the page showed); `other` with the short code
    that says which (the API requires it), written as the person typed it in lower case."""
    signed.check_csrf(csrf)
    path, back = f"/cases/{case_id}/closure", f"/casos/{case_id}"
    body = {"reason": reason}
    if reason == "other":
        code = reason_code.strip().lower().replace(" ", "_")
        if not REASON_CODE.fullmatch(code):  # said here, in the person's language
            refused = ServiceRefusal(422, "reason_code_required", signed.t("case.close_code_bad"))
            return signed.refused(refused, back)
        body["reason_code"] = code
    made = await command(signed, "cases", path, body, key, back=back, version=version)
    if isinstance(made, Response):
        return made
    return RedirectResponse(f"{back}?hecho=cierre", status_code=303)


@router.post("/casos/{case_id}/reapertura")
async def reopen(
    signed: SignedIn, case_id: uuid.UUID, csrf: Text, key: Text, version: Text, reason: Text
) -> Response:
    """Reopen a closed case (If-Match: the version the page showed)."""
    signed.check_csrf(csrf)
    path, back = f"/cases/{case_id}/reopening", f"/casos/{case_id}"
    made = await command(signed, "cases", path, {"reason": reason}, key, back=back, version=version)
    if isinstance(made, Response):
        return made
    return RedirectResponse(f"{back}?hecho=reapertura", status_code=303)


@router.post("/casos/{case_id}/reasignacion")
async def reassign(
    signed: SignedIn,
    case_id: uuid.UUID,
    csrf: Text,
    key: Text,
    version: Text,
    reason: Text,
    region: Text,
    caseworker_id: Text = "",
    other: Text = "",
) -> Response:
    """Hand the case to a caseworker (chosen from the list, or a colleague's code typed in)."""
    signed.check_csrf(csrf)
    back = f"/casos/{case_id}"
    try:
        to = str(uuid.UUID((other or caseworker_id).strip()))
    except ValueError:
        refused = ServiceRefusal(422, "bad_caseworker_code", signed.t("reassign.bad_code"))
        return signed.refused(refused, back)
    body = {"caseworker_id": to, "region": region, "reason": reason}
    path = f"/cases/{case_id}/reassignment"
    made = await command(signed, "cases", path, body, key, back=back, version=version)
    if isinstance(made, Response):
        return made
    return RedirectResponse(f"{back}?hecho=reasignacion", status_code=303)


@router.post("/personas/{participant_id}/consentimiento/{consent_id}/retiro")
async def withdraw(
    signed: SignedIn,
    participant_id: uuid.UUID,
    consent_id: uuid.UUID,
    csrf: Text,
    key: Text,
    reason: Text,
    purposes: Checked = [],  # noqa: B006
) -> Response:
    """Withdraw the ticked purposes of one consent (all of them when none is ticked: the
    service's own default)."""
    signed.check_csrf(csrf)
    body: dict[str, Any] = {"reason": reason}
    if purposes:
        body["purposes"] = purposes
    back = f"/personas/{participant_id}"
    path = f"/participants/{participant_id}/consents/{consent_id}/withdrawal"
    made = await command(signed, "cases", path, body, key, back=back)
    if isinstance(made, Response):
        return made
    return RedirectResponse(f"{back}?hecho=retiro", status_code=303)
