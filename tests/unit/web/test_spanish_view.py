"""What the pages show of the services' codes and numbers is said in the page's language: a
referral's destination by its label (`ALLY_NGO` is "Organización aliada"), a prefilled amount in
the language's notation; a table's cells carry their column's name, which a phone shows beside
each value once the table is stacked (`app.css`: the header row is hidden below 40rem)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.unit.web.signed_in import sign_in, web_app

OVERDUE = {"referral_id": "r1", "case_id": "6f1c1d0e-8d55-4c5e-9a51-2f3b3c0e7a11",
           "destination": "ALLY_NGO", "unit_name": "Aliada (muestra)",
           "respond_by": "2026-03-01T15:00:00Z", "status": "requested"}  # fmt: skip


CASE = {"case_id": OVERDUE["case_id"], "case_type": "gbv", "status": "open", "version": 2,
        "region": "lima_callao", "opened_at": "2026-03-01T15:00:00Z", "caseworker_id": "cw1",
        "participant_id": "0b0c5c2e-3a57-4a4e-9f6f-1f4f3a2b9c10"}  # fmt: skip
VOUCHER = {"voucher_id": "v1", "code": "7K2M-9QXA-4TR", "status": "active", "redeemable": True,
           "amount": "150.00", "maximum": "150.00", "remaining": "120.50", "currency": "PEN",
           "services": ["consultation"], "valid_until": "2026-03-31"}  # fmt: skip
UNIT = {"unit_id": "u1", "destination": "DEFENSA_PUBLICA", "name": "Defensa (muestra)",
        "active": True}  # fmt: skip


class Services:
    """A region with one overdue referral to an allied organisation, and one open case referred
    there, with a unit of the public defence to refer to."""

    async def call(self, token: str, service: str, method: str, path: str, **sent: Any) -> Any:
        answers = {"/referrals/overdue": [OVERDUE], "/referrals": [OVERDUE], "/units": [UNIT],
                   "/providers": [], f"/cases/{CASE['case_id']}": CASE,
                   "/lookup": VOUCHER}  # fmt: skip
        return answers.get(path, {"items": [], "total": 0})


@pytest.fixture
def client() -> Iterator[TestClient]:
    with web_app(Services()) as client:
        yield client


@pytest.mark.parametrize(
    ("language", "label"), [("es", "Organización aliada"), ("en", "Allied organisation")]
)
def test_an_overdue_referral_s_destination_is_named_not_coded(
    client: TestClient, language: str, label: str
) -> None:
    sign_in(client, language)
    html = client.get("/casos").text

    column = "Destino" if language == "es" else "Destination"  # said beside it on a phone
    assert f'<tr><td data-label="{column}">{label}</td>' in html
    assert "ALLY_NGO" not in html


@pytest.mark.parametrize(
    ("language", "ally", "defence", "amount"),
    [("es", "Organización aliada", "Defensa pública", "150,00"),
     ("en", "Allied organisation", "Public defence", "150.00")],
)  # fmt: skip
def test_a_case_names_destinations_and_writes_the_amount_as_the_language_does(
    client: TestClient, language: str, ally: str, defence: str, amount: str
) -> None:
    sign_in(client, language)
    html = client.get(f"/casos/{CASE['case_id']}").text

    assert f'">{ally}</td>' in html
    assert f'<optgroup label="{defence}"><option value="u1">Defensa (muestra)</option>' in html
    assert f'id="amount" name="amount" required inputmode="decimal" value="{amount}"' in html
    assert "ALLY_NGO" not in html and "DEFENSA_PUBLICA" not in html


@pytest.mark.parametrize(("language", "amount"), [("es", "120,50"), ("en", "120.50")])
def test_a_clinic_s_amount_is_prefilled_as_the_language_writes_it(
    client: TestClient, language: str, amount: str
) -> None:
    csrf = sign_in(client, language)
    html = client.post("/clinica/vale", data={"csrf": csrf, "code": "7K2M-9QXA-4TR"}).text

    assert f'value="{amount}" aria-describedby="amount-help"' in html
