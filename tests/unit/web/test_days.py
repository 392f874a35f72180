"""Days are typed as the pages write them, `dd/mm/aaaa`, on every page that asks one: read back
day first whatever the browser's language, and what is not a day is refused on the page, in its
language, with nothing sent."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.unit.web.signed_in import sign_in, web_app
from web.days import typed_day

TEMPLATES = Path(__file__).resolve().parents[3] / "web" / "templates"
CASE = uuid.UUID("6f1c1d0e-8d55-4c5e-9a51-2f3b3c0e7a11")


@pytest.mark.parametrize(
    ("typed", "day"),
    [("15/07/1992", date(1992, 7, 15)), (" 5/7/1992 ", date(1992, 7, 5)),
     ("15-07-1992", date(1992, 7, 15)), ("15.07.1992", date(1992, 7, 15)),
     ("1992-07-15", date(1992, 7, 15)), ("07/15/1992", None), ("31/02/2027", None),
     ("15/07/92", None), ("", None), ("mañana", None), ("1992-7-15", None)],
)  # fmt: skip
def test_a_day_is_read_day_first(typed: str, day: date | None) -> None:
    assert typed_day(typed) == day


def test_no_page_uses_the_browser_s_own_date_input() -> None:
    for template in TEMPLATES.glob("*.html"):
        assert 'type="date"' not in template.read_text("utf-8"), template.name


class RecordedServices:
    """The services as the pages call them: each call kept, answered as little as pages need."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    async def call(self, token: str, service: str, method: str, path: str, **sent: Any) -> Any:
        self.calls.append({"service": service, "method": method, "path": path, **sent})
        if path == "/break-glass/grants":
            return {"grants": []}
        if method == "GET":
            return []
        return {"participant_id": str(CASE), "voucher_id": str(CASE), "total": 3}

    def sent(self, method: str = "POST") -> list[dict[str, Any]]:
        return [c for c in self.calls if c["method"] in (method, "PUT")]


@pytest.fixture
def client() -> Iterator[TestClient]:
    with web_app(RecordedServices()) as client:
        yield client


def _services(client: TestClient) -> RecordedServices:
    services: RecordedServices = client.app.state.services  # type: ignore[attr-defined]
    return services


@pytest.mark.parametrize(
    ("language", "field", "hint"), [("es", "Fecha de nacimiento", "dd/mm/aaaa"),
                                    ("en", "Date of birth", "dd/mm/yyyy")]
)  # fmt: skip
def test_the_registration_asks_the_birth_date_day_first_and_refuses_another_order(
    client: TestClient, language: str, field: str, hint: str
) -> None:
    csrf = sign_in(client, language)
    form = client.get("/personas/nueva").text
    assert 'id="birth_date" name="birth_date" inputmode="numeric"' in form
    assert f'placeholder="{hint}"' in form and 'pattern="\\d{1,2}/\\d{1,2}/\\d{4}"' in form
    typed = {"csrf": csrf, "key": "k", "given_names": "Ana", "family_names": "Rojas",
             "sex": "woman", "birth_date": "15/07/1992"}  # fmt: skip

    assert client.post("/personas/nueva", data=typed).status_code == 200
    (sent,) = _services(client).sent()
    assert sent["json"]["birth_date"] == "1992-07-15"

    refused = client.post("/personas/nueva", data={**typed, "birth_date": "07/15/1992"})
    assert refused.status_code == 422
    assert len(_services(client).sent()) == 1  # nothing more sent
    assert f"{field}: " in refused.text and hint in refused.text
    assert 'value="07/15/1992"' in refused.text  # the field keeps what was typed


def test_a_voucher_s_last_day_is_typed_day_first(client: TestClient) -> None:
    csrf = sign_in(client, "es")
    typed = {"csrf": csrf, "key": "k", "participant_id": str(CASE), "region": "lima_callao",
             "provider_id": str(CASE), "amount": "150,00", "services": "consultation"}  # fmt: skip

    answer = client.post(
        f"/casos/{CASE}/vales", data={**typed, "valid_until": "31/01/2027"}, follow_redirects=False
    )
    assert answer.status_code == 303
    (sent,) = _services(client).sent()
    assert sent["json"]["valid_until"] == "2027-01-31T23:59:59-05:00"

    refused = client.post(f"/casos/{CASE}/vales", data={**typed, "valid_until": "2027/01/31"})
    assert refused.status_code == 422
    assert "Válido hasta: «2027/01/31» no es una fecha" in refused.text
    assert len(_services(client).sent()) == 1


def test_a_budget_s_period_is_typed_day_first(client: TestClient) -> None:
    csrf = sign_in(client, "es")
    typed = {"csrf": csrf, "region": "tumbes", "amount": "12.500,50",
             "period_start": "01/01/2027", "period_end": "31/12/2027"}  # fmt: skip

    client.post("/admin/presupuesto", data=typed)
    (sent,) = _services(client).sent()
    assert sent["path"] == "/budgets/tumbes/2027-01-01"
    assert sent["json"]["period_end"] == "2027-12-31"

    refused = client.post("/admin/presupuesto", data={**typed, "period_end": "12/31/2027"})
    assert "Hasta: «12/31/2027» no es una fecha" in refused.text
    assert 'value="12/31/2027"' in refused.text and 'value="01/01/2027"' in refused.text
    assert len(_services(client).sent()) == 1


def test_a_group_activity_s_day_is_typed_day_first(client: TestClient) -> None:
    csrf = sign_in(client, "es")
    typed = {"csrf": csrf, "key": "k", "kind": "talk", "count_woman_youth": "3"}

    client.post("/actividades/nueva", data={**typed, "held_on": "05/03/2024"})
    (sent,) = _services(client).sent()
    assert sent["json"]["held_at"] == "2024-03-05T12:00:00-05:00"

    refused = client.post("/actividades/nueva", data={**typed, "held_on": "5 de marzo"})
    assert refused.status_code == 422 and "«5 de marzo» no es una fecha" in refused.text
    assert len(_services(client).sent()) == 1
