"""The directories an administrator edits by form, as the pages see them: which service holds
each (`Directory`) and what each form sends (`ProviderForm`, `UnitForm`: the fields of a change;
`New...`: with the region, and a unit's destination, an addition alone sets). The bodies are the
APIs' own: an addition is the `POST` a CSV import makes for each of its rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from web.vocabulary import DESTINATIONS, PROVIDER_KINDS, REGIONS, VOUCHER_SERVICES


@dataclass(frozen=True)
class Directory:
    """One directory as its pages see it: the service holding it, its form, a blank entry."""

    service: str
    path: str
    key: str
    template: str
    noun: str
    """The entry's name in the template."""
    changed: str
    added: str
    """The admin page's confirmation (`/admin?hecho=`) after a change, after an addition."""
    blank: dict[str, Any]
    choices: dict[str, Any] = field(default_factory=dict)


PROVIDERS = Directory(
    "vouchers", "/providers", "provider_id", "provider_edit.html", "provider",
    "proveedor", "proveedor_nuevo",
    {"name": "", "region": "", "kind": "", "services": [], "active": True},
    {"regions": REGIONS, "kinds": PROVIDER_KINDS, "services": VOUCHER_SERVICES},
)  # fmt: skip
UNITS = Directory(
    "referrals", "/units", "unit_id", "unit_edit.html", "unit", "unidad", "unidad_nueva",
    {"name": "", "destination": "", "region": "", "handover_contact": {},
     "has_system_account": False, "active": True},
    {"regions": REGIONS, "destinations": DESTINATIONS},
)  # fmt: skip


class EntryForm(BaseModel):
    """What a directory's form sends: the CSRF token and the entry's fields."""

    csrf: str

    def body(self) -> dict[str, Any]:
        """The fields as the service's request names them."""
        raise NotImplementedError

    def lacks(self) -> str | None:
        """The catalog key of what the form lacks that the page says itself, if anything."""
        return None


class ProviderForm(EntryForm):
    name: str
    kind: str
    services: list[str] = []
    active: str = ""

    def body(self) -> dict[str, Any]:
        return {"name": self.name.strip(), "kind": self.kind, "services": self.services,
                "active": self.active == "on"}  # fmt: skip

    def lacks(self) -> str | None:
        return None if self.services else "directory.no_services"


class NewProviderForm(ProviderForm):
    region: str

    def body(self) -> dict[str, Any]:
        return {**super().body(), "region": self.region}


class UnitForm(EntryForm):
    name: str
    office: str
    phone: str = ""
    email: str = ""
    has_system_account: str = ""
    active: str = ""

    def body(self) -> dict[str, Any]:
        contact = {"office": self.office.strip(), "phone": self.phone.strip() or None,
                   "email": self.email.strip() or None}  # fmt: skip
        return {"name": self.name.strip(), "handover_contact": contact,
                "has_system_account": self.has_system_account == "on",
                "active": self.active == "on"}  # fmt: skip


class NewUnitForm(UnitForm):
    destination: str
    region: str

    def body(self) -> dict[str, Any]:
        return {**super().body(), "destination": self.destination, "region": self.region}
