"""The registration page asks the running program's population type and coarse attributes, each
optional and labelled by the program file, says answering a sensitive one is voluntary, and sends
the answers in the cases service's body."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from program.load import PROGRAMS_DIR, current_program, load_program
from services.cases.participant_requests import RegisterRequest
from tests.unit.web.signed_in import sign_in, web_app
from web import i18n


class RecordedServices:
    """The services as the page calls them: each call kept, a registration answered."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    async def call(self, token: str, service: str, method: str, path: str, **sent: Any) -> Any:
        self.calls.append({"service": service, "method": method, "path": path, **sent})
        return {"participant_id": "0b0c5c2e-3a57-4a4e-9f6f-1f4f3a2b9c10", "position": None}


@pytest.fixture
def balkans(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PANA_PROGRAM_FILE", str(PROGRAMS_DIR / "western_balkans.yaml"))
    current_program.cache_clear()
    i18n.catalog.cache_clear()
    yield
    current_program.cache_clear()
    i18n.catalog.cache_clear()


@pytest.fixture
def client() -> Iterator[TestClient]:
    with web_app(RecordedServices()) as client:
        yield client


def _register(client: TestClient, csrf: str, **answers: str) -> dict[str, Any]:
    form = {"csrf": csrf, "key": "k-1", "given_names": "Ana", "family_names": "Rojas",
            "sex": "woman", "birth_date": "1994-03-12", **answers}  # fmt: skip
    answer = client.post("/personas/nueva", data=form)
    assert answer.status_code == 200, answer.text
    services: RecordedServices = client.app.state.services  # type: ignore[attr-defined]
    (call,) = [c for c in services.calls if c["path"] == "/participants"]
    body: dict[str, Any] = call["json"]
    return body


def test_the_form_asks_peru_s_attributes_and_population_types(client: TestClient) -> None:
    sign_in(client, "es")
    html = client.get("/personas/nueva").text

    assert '<label for="population_type">Tipo de población</label>' in html
    assert '<option value="in_transit">En tránsito</option>' in html
    for attribute in ("disability", "lgbtiq"):
        assert f'name="attribute_{attribute}"' in html
    assert html.count('name="nationality"') == 1 and 'name="attribute_nationality"' not in html
    assert html.count(">Nacionalidad</label>") == 1  # asked once: the ISO code the person carries
    assert '<option value="with_disability">Con discapacidad</option>' in html
    assert "Se identifica como LGBTIQ+" in html
    voluntary = i18n.translate("es", "register.voluntary")
    assert html.count(voluntary) == 2  # disability and lgbtiq; the population type is not sensitive
    assert 'aria-describedby="attribute_lgbtiq-help"' in html
    assert 'aria-describedby="population_type-help"' not in html


def test_the_answers_travel_in_the_body_and_unanswered_ones_do_not(client: TestClient) -> None:
    csrf = sign_in(client, "en")
    body = _register(
        client, csrf, population_type="in_transit", attribute_disability="with_disability",
        attribute_lgbtiq="", nationality="col", attribute_nationality="COL",
    )  # fmt: skip

    assert body["population_type"] == "in_transit"
    assert body["attributes"] == {"disability": "with_disability"}  # not one the program lacks
    assert body["nationality"] == "COL"
    accepted = RegisterRequest.model_validate(body)
    assert accepted.attributes == body["attributes"]


def test_nothing_answered_sends_neither_field(client: TestClient) -> None:
    body = _register(client, sign_in(client, "es"), population_type="")
    assert "population_type" not in body and "attributes" not in body


@pytest.mark.usefixtures("balkans")
def test_another_program_asks_its_own_attributes_in_the_page_s_language(
    client: TestClient,
) -> None:
    csrf = sign_in(client, "en")
    html = client.get("/personas/nueva").text

    assert '<label for="attribute_ethnicity">Ethnicity</label>' in html
    assert '<option value="roma">Roma</option>' in html
    assert '<option value="internally_displaced">Internally displaced</option>' in html
    assert 'name="attribute_lgbtiq"' not in html and 'value="in_transit"' not in html
    assert i18n.translate("en", "register.voluntary") in html

    body = _register(client, csrf, population_type="returnees", attribute_ethnicity="roma")
    assert body["population_type"] == "returnees"
    assert body["attributes"] == {"ethnicity": "roma"}


@pytest.mark.parametrize("program", sorted(PROGRAMS_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_no_program_asks_again_what_registration_already_asks(program: Path) -> None:
    """An attribute named as a registration field (Peru's coarse `nationality` beside the ISO
    code every participant carries) would put the same question twice on the page."""
    asked = set(RegisterRequest.model_fields)
    assert not {a.code for a in load_program(program).attributes} & asked
