"""Administrator: add or change one entry of the directories by form, a partner provider (the
vouchers service's `/providers`: name, kind, services, activity) or a receiving unit (the
referrals service's `/units`: name, handover contact, whether it answers through the system,
activity).

Adding is the `POST` a CSV import makes for each of its rows; changing is a `PATCH`, in which
region and destination stay: vouchers and referrals were made against them, so the APIs do not
change them either. The add routes come before the edit routes, so `nuevo` and `nueva` are never
read as an id.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse, Response

from web.context import Signed, SignedIn
from web.directories import (
    PROVIDERS,
    UNITS,
    Directory,
    EntryForm,
    NewProviderForm,
    NewUnitForm,
    ProviderForm,
    UnitForm,
)
from web.services import ServiceRefusal

router = APIRouter(prefix="/admin")


async def _entry(signed: Signed, directory: Directory, entry_id: uuid.UUID) -> Any:
    """One entry of a directory listing (the APIs list, they have no read of one entry)."""
    listed = await signed.services.call(signed.token, directory.service, "GET", directory.path)
    found = next((e for e in listed if e[directory.key] == str(entry_id)), None)
    if found is None:
        raise ServiceRefusal(404, None, signed.t("directory.not_found"))
    return found


async def _form(
    signed: Signed,
    directory: Directory,
    entry_id: uuid.UUID | None = None,
    typed: dict[str, Any] | None = None,
    refusal: ServiceRefusal | None = None,
) -> Response:
    """The entry as the directory holds it (a blank one to add), or as the person typed it when
    it was refused."""
    entry = directory.blank
    if entry_id is not None:
        try:
            entry = await _entry(signed, directory, entry_id)
        except ServiceRefusal as refused:
            return signed.refused(refused, "/admin")
    return signed.render(
        directory.template,
        **{directory.noun: {**entry, **(typed or {})}},
        new=entry_id is None,
        **directory.choices,
        refusal=refusal,
        status_code=refusal.status if refusal else 200,
    )


async def _saved(
    signed: Signed, directory: Directory, form: EntryForm, entry_id: uuid.UUID | None
) -> Response:
    """Add the entry (no id) or change it; a refusal shows the form again as typed."""
    signed.check_csrf(form.csrf)
    body = form.body()
    if lacking := form.lacks():  # said in the person's language, rather than as the API's 422
        refused = ServiceRefusal(422, None, signed.t(lacking))
        return await _form(signed, directory, entry_id, body, refused)
    method, path = "POST", directory.path
    if entry_id is not None:
        method, path = "PATCH", f"{directory.path}/{entry_id}"
    try:
        await signed.services.call(signed.token, directory.service, method, path, json=body)
    except ServiceRefusal as refused:
        return await _form(signed, directory, entry_id, body, refused)
    done = directory.added if entry_id is None else directory.changed
    return RedirectResponse(f"/admin?hecho={done}", status_code=303)


@router.get("/proveedores/nuevo")
async def new_provider(signed: SignedIn) -> Response:
    return await _form(signed, PROVIDERS)


@router.post("/proveedores/nuevo")
async def add_provider(signed: SignedIn, form: Annotated[NewProviderForm, Form()]) -> Response:
    return await _saved(signed, PROVIDERS, form, None)


@router.get("/unidades/nueva")
async def new_unit(signed: SignedIn) -> Response:
    return await _form(signed, UNITS)


@router.post("/unidades/nueva")
async def add_unit(signed: SignedIn, form: Annotated[NewUnitForm, Form()]) -> Response:
    return await _saved(signed, UNITS, form, None)


@router.get("/proveedores/{provider_id}")
async def provider(signed: SignedIn, provider_id: uuid.UUID) -> Response:
    return await _form(signed, PROVIDERS, provider_id)


@router.post("/proveedores/{provider_id}")
async def change_provider(
    signed: SignedIn, provider_id: uuid.UUID, form: Annotated[ProviderForm, Form()]
) -> Response:
    return await _saved(signed, PROVIDERS, form, provider_id)


@router.get("/unidades/{unit_id}")
async def unit(signed: SignedIn, unit_id: uuid.UUID) -> Response:
    return await _form(signed, UNITS, unit_id)


@router.post("/unidades/{unit_id}")
async def change_unit(
    signed: SignedIn, unit_id: uuid.UUID, form: Annotated[UnitForm, Form()]
) -> Response:
    return await _saved(signed, UNITS, form, unit_id)
