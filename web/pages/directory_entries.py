"""Administrator: add one entry to a directory by form, a partner provider (the vouchers
service's `POST /providers`) or a receiving unit (the referrals service's `POST /units`), the
same calls a CSV import makes for each of its rows. Its routes come before the edit pages'
(`/admin/proveedores/{id}`), so `nuevo` and `nueva` are never read as an id."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse, Response

from web.context import Signed, SignedIn
from web.services import ServiceRefusal
from web.vocabulary import DESTINATIONS, PROVIDER_KINDS, REGIONS, VOUCHER_SERVICES

router = APIRouter(prefix="/admin")
Text = Annotated[str, Form()]
Checked = Annotated[list[str], Form()]


def _provider_form(
    signed: Signed, typed: dict[str, Any] | None = None, refusal: ServiceRefusal | None = None
) -> Response:
    """The empty form, or the entry as the person typed it when it was refused."""
    provider = {"name": "", "region": "", "kind": "", "services": [], "active": True}
    return signed.render(
        "provider_edit.html",
        provider={**provider, **(typed or {})},
        new=True,
        regions=REGIONS,
        kinds=PROVIDER_KINDS,
        services=VOUCHER_SERVICES,
        refusal=refusal,
        status_code=refusal.status if refusal else 200,
    )


@router.get("/proveedores/nuevo")
async def new_provider(signed: SignedIn) -> Response:
    return _provider_form(signed)


@router.post("/proveedores/nuevo")
async def add_provider(
    signed: SignedIn,
    csrf: Text,
    name: Text,
    region: Text,
    kind: Text,
    services: Checked = [],  # noqa: B006
    active: Text = "",
) -> Response:
    signed.check_csrf(csrf)
    body = {"name": name.strip(), "region": region, "kind": kind, "services": services,
            "active": active == "on"}  # fmt: skip
    if not services:  # said here, in the person's language, rather than as the API's 422
        return _provider_form(
            signed, body, ServiceRefusal(422, None, signed.t("directory.no_services"))
        )
    try:
        await signed.services.call(signed.token, "vouchers", "POST", "/providers", json=body)
    except ServiceRefusal as refused:
        return _provider_form(signed, body, refused)
    return RedirectResponse("/admin?hecho=proveedor_nuevo", status_code=303)


def _unit_form(
    signed: Signed, typed: dict[str, Any] | None = None, refusal: ServiceRefusal | None = None
) -> Response:
    """The empty form, or the entry as the person typed it when it was refused."""
    unit = {"name": "", "destination": "", "region": "", "handover_contact": {},
            "has_system_account": False, "active": True}  # fmt: skip
    return signed.render(
        "unit_edit.html",
        unit={**unit, **(typed or {})},
        new=True,
        regions=REGIONS,
        destinations=DESTINATIONS,
        refusal=refusal,
        status_code=refusal.status if refusal else 200,
    )


@router.get("/unidades/nueva")
async def new_unit(signed: SignedIn) -> Response:
    return _unit_form(signed)


@router.post("/unidades/nueva")
async def add_unit(
    signed: SignedIn,
    csrf: Text,
    name: Text,
    destination: Text,
    region: Text,
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
        "destination": destination,
        "region": region,
        "handover_contact": contact,
        "has_system_account": has_system_account == "on",
        "active": active == "on",
    }
    try:
        await signed.services.call(signed.token, "referrals", "POST", "/units", json=body)
    except ServiceRefusal as refused:
        return _unit_form(signed, body, refused)
    return RedirectResponse("/admin?hecho=unidad_nueva", status_code=303)
