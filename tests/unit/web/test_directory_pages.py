"""The directory pages send the services the bodies the APIs take: an added entry as the `POST` a
CSV row makes, a changed one as a `PATCH` without region or destination; what a form lacks is said
in the page's language without a call, and a refusal shows the form again as typed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.unit.web.signed_in import sign_in, web_app
from web.services import ServiceRefusal

PROVIDER = "6f1d2a3b-0c4d-4e5f-8a9b-0c1d2e3f4a5b"
UNIT = "7a2b3c4d-1e5f-4a6b-9c8d-1e2f3a4b5c6d"


class Directories:
    """The vouchers and referrals services as the pages call them: each call kept; the listings
    hold one entry each; a unit named "Ya existe" is refused as the API refuses a used name."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    async def call(self, token: str, service: str, method: str, path: str, **sent: Any) -> Any:
        self.calls.append({"service": service, "method": method, "path": path, **sent})
        if method == "GET":
            return [{"provider_id": PROVIDER, "name": "Policlínico (muestra)", "region": "piura",
                     "kind": "polyclinic", "services": ["exams"], "active": True}
                    ] if path == "/providers" else [
                    {"unit_id": UNIT, "name": "CEM (muestra)", "destination": "CEM",
                     "region": "piura", "handover_contact": {"office": "Mesa"},
                     "has_system_account": True, "active": True}]  # fmt: skip
        if sent.get("json", {}).get("name") == "Ya existe":
            raise ServiceRefusal(409, "unit_exists", "a unit of that name exists")
        return {}


@pytest.fixture
def client() -> Iterator[TestClient]:
    with web_app(Directories()) as client:
        yield client


@pytest.fixture
def csrf(client: TestClient) -> str:
    return sign_in(client)


def _sent(client: TestClient) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = client.app.state.services.calls  # type: ignore[attr-defined]
    return [c for c in calls if c["method"] != "GET"]


def test_a_provider_added_and_changed(client: TestClient, csrf: str) -> None:
    form = {"csrf": csrf, "name": " Farmacia Sur (muestra) ", "region": "piura",
            "kind": "pharmacy", "services": ["medicines", "exams"], "active": "on"}  # fmt: skip
    added = client.post("/admin/proveedores/nuevo", data=form, follow_redirects=False)
    changed = client.post(f"/admin/proveedores/{PROVIDER}", data=form, follow_redirects=False)

    assert added.headers["location"] == "/admin?hecho=proveedor_nuevo"
    assert changed.headers["location"] == "/admin?hecho=proveedor"
    post, patch = _sent(client)
    assert (post["service"], post["path"]) == ("vouchers", "/providers")
    assert post["json"] == {"name": "Farmacia Sur (muestra)", "region": "piura",
                            "kind": "pharmacy", "services": ["medicines", "exams"],
                            "active": True}  # fmt: skip
    assert (patch["method"], patch["path"]) == ("PATCH", f"/providers/{PROVIDER}")
    assert "region" not in patch["json"] and patch["json"]["services"] == ["medicines", "exams"]


def test_a_provider_without_services_is_refused_by_the_page(client: TestClient, csrf: str) -> None:
    form = {"csrf": csrf, "name": "Farmacia Sur (muestra)", "region": "piura", "kind": "pharmacy"}
    for path in ("/admin/proveedores/nuevo", f"/admin/proveedores/{PROVIDER}"):
        answer = client.post(path, data=form)
        assert answer.status_code == 422
        assert "al menos un servicio" in answer.text
        assert 'value="Farmacia Sur (muestra)"' in answer.text  # as typed
    assert _sent(client) == []


def test_a_unit_added_changed_and_refused(client: TestClient, csrf: str) -> None:
    form = {"csrf": csrf, "name": "CEM Norte (muestra)", "destination": "CEM", "region": "piura",
            "office": " Admisión ", "phone": "", "email": "cem@example.org"}  # fmt: skip
    added = client.post("/admin/unidades/nueva", data=form, follow_redirects=False)
    changed = client.post(f"/admin/unidades/{UNIT}", data=form, follow_redirects=False)
    refused = client.post("/admin/unidades/nueva", data={**form, "name": "Ya existe"})

    assert added.headers["location"] == "/admin?hecho=unidad_nueva"
    assert changed.headers["location"] == "/admin?hecho=unidad"
    post, patch, _ = _sent(client)
    contact = {"office": "Admisión", "phone": None, "email": "cem@example.org"}
    assert post["json"] == {"name": "CEM Norte (muestra)", "destination": "CEM",
                            "region": "piura", "handover_contact": contact,
                            "has_system_account": False, "active": False}  # fmt: skip
    assert (patch["service"], patch["path"]) == ("referrals", f"/units/{UNIT}")
    assert patch["json"] == {"name": "CEM Norte (muestra)", "handover_contact": contact,
                             "has_system_account": False, "active": False}  # fmt: skip
    assert refused.status_code == 409 and 'value="Ya existe"' in refused.text


@pytest.mark.usefixtures("csrf")
def test_the_edit_page_shows_the_entry_and_a_missing_one_is_said(client: TestClient) -> None:
    page = client.get(f"/admin/unidades/{UNIT}")
    missing = client.get("/admin/proveedores/00000000-0000-4000-8000-000000000000")

    assert page.status_code == 200 and 'value="CEM (muestra)"' in page.text
    assert missing.status_code == 404
