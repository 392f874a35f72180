"""Administrator: change one entry of the directories, a partner provider (name, kind, services,
activity; the vouchers service) or a receiving unit (its name, handover contact, whether it
answers through the system, activity; the referrals service). Region and destination stay:
vouchers and referrals were made against them, so the APIs do not change them either. Adding an
entry by form is `directory_entries`."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse, Response

from web.context import Signed, SignedIn
from web.services import ServiceRefusal
from web.vocabulary import PROVIDER_KINDS, VOUCHER_SERVICES

router = APIRouter(prefix="/admin")
Text = Annotated[str, Form()]
Checked = Annotated[list[str], Form()]


async def _entry(signed: Signed, service: str, path: str, key: str, entry_id: uuid.UUID) -> Any:
    """One entry of a directory listing (the APIs list, they have no read of one entry)."""
    listed = await signed.services.call(signed.token, service, "GET", path)
    found = next((e for e in listed if e[key] == str(entry_id)), None)
    if found is None:
        raise ServiceRefusal(404, None, signed.t("directory.not_found"))
    return found


async def _provider_form(
    signed: Signed,
    provider_id: uuid.UUID,
    refusal: ServiceRefusal | None = None,
    typed: dict[str, Any] | None = None,
) -> Response:
    """The entry as the directory holds it, or as the person typed it when it was refused."""
    try:
        provider = await _entry(signed, "vouchers", "/providers", "provider_id", provider_id)
    except ServiceRefusal as refused:
        return signed.refused(refused, "/admin")
    return signed.render(
        "provider_edit.html",
        provider={**provider, **(typed or {})},
        kinds=PROVIDER_KINDS,
        services=VOUCHER_SERVICES,
        refusal=refusal,
        status_code=refusal.status if refusal else 200,
    )


@router.get("/proveedores/{provider_id}")
async def provider(signed: SignedIn, provider_id: uuid.UUID) -> Response:
    return await _provider_form(signed, provider_id)


@router.post("/proveedores/{provider_id}")
async def change_provider(
    signed: SignedIn,
    provider_id: uuid.UUID,
    csrf: Text,
    name: Text,
    kind: Text,
    services: Checked = [],  # noqa: B006
    active: Text = "",
) -> Response:
    signed.check_csrf(csrf)
    body = {"name": name.strip(), "kind": kind, "services": services, "active": active == "on"}
    if not services:  # said here, in the person's language, rather than as the API's 422
        refused = ServiceRefusal(422, None, signed.t("directory.no_services"))
        return await _provider_form(signed, provider_id, refused, body)
    try:
        await signed.services.call(
            signed.token, "vouchers", "PATCH", f"/providers/{provider_id}", json=body
        )
    except ServiceRefusal as refused:
        return await _provider_form(signed, provider_id, refused, body)
    return RedirectResponse("/admin?hecho=proveedor", status_code=303)


async def _unit_form(
    signed: Signed,
    unit_id: uuid.UUID,
    refusal: ServiceRefusal | None = None,
    typed: dict[str, Any] | None = None,
) -> Response:
    """The entry as the directory holds it, or as the person typed it when it was refused."""
    try:
        unit = await _entry(signed, "referrals", "/units", "unit_id", unit_id)
    except ServiceRefusal as refused:
        return signed.refused(refused, "/admin")
    return signed.render(
        "unit_edit.html",
        unit={**unit, **(typed or {})},
        refusal=refusal,
        status_code=refusal.status if refusal else 200,
    )


@router.get("/unidades/{unit_id}")
async def unit(signed: SignedIn, unit_id: uuid.UUID) -> Response:
    return await _unit_form(signed, unit_id)


@router.post("/unidades/{unit_id}")
async def change_unit(
    signed: SignedIn,
    unit_id: uuid.UUID,
    csrf: Text,
    name: Text,
    office: Text,
    phone: Text = "",
    email: Text = "",
    has_system_account: Text = "",
    active: Text = "",
) -> Response:
    signed.check_csrf(csrf)
    contact = {"office": office.strip(), "phone": phone.strip() or None,
               "email": email.strip() or None}  # fmt: skip
    body = {
        "name": name.strip(),
        "handover_contact": contact,
        "has_system_account": has_system_account == "on",
        "active": active == "on",
    }
    try:
        await signed.services.call(
            signed.token, "referrals", "PATCH", f"/units/{unit_id}", json=body
        )
    except ServiceRefusal as refused:
        return await _unit_form(signed, unit_id, refused, body)
    return RedirectResponse("/admin?hecho=unidad", status_code=303)
