"""The field forms: valid XLSForm for Kobo and ODK (pyxform converts each), codes with Spanish and
English labels, constraints read from the API's request models; submissions from Kobo and ODK
Central read into the same answers and become the API's bodies, or a refusal naming the field."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from eventkit.decider import Refused
from services.cases.field_forms import bodies
from services.cases.field_forms.choices import ProgramList, choices
from services.cases.field_forms.forms import (
    _META,
    FORMS,
    OUTREACH,
    REGISTRATION,
    FormKind,
    coarse_attributes,
)
from services.cases.field_forms.submissions import from_central, from_kobo
from services.cases.field_forms.xlsform import ES, Form, workbook
from services.cases.participant_commands import register_in
from services.cases.participant_requests import RegisterRequest
from tests.support.peru import Region
from tests.unit.cases.fakes import CASEWORKER, FakePersonalData, InMemory
from tests.unit.cases.givens import NOW

RECORDED = Path(__file__).parents[2] / "integration" / "cases" / "field_submissions"
AT = datetime(2023, 3, 15, 12, tzinfo=UTC)


def recorded(name: str) -> Any:
    return json.loads((RECORDED / name).read_text())


@pytest.mark.parametrize("kind", list(FormKind))
def test_each_form_converts_with_pyxform(kind: FormKind) -> None:
    form = FORMS[kind]
    warnings: list[str] = []
    xform = convert(workbook(form), warnings=warnings, form_name=form.form_id).xform
    assert warnings == []
    assert f'id="{form.form_id}"' in xform and f'version="{form.version()}"' in xform
    assert 'lang="Español (es)"' in xform and 'lang="English (en)"' in xform


def test_choice_lists_are_the_codes_with_spanish_and_english_labels() -> None:
    sheet = load_workbook(io.BytesIO(workbook(REGISTRATION)))["choices"]
    rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ("list_name", "name", f"label::{ES}", "label::English (en)")
    regions = [r[1] for r in rows if r[0] == "region"]
    assert regions == [r.value for r in Region]
    assert ("sex", "woman", "Mujer", "Woman") in rows
    assert ("region", "lima_callao", "Lima y Callao", "Lima and Callao") in rows
    assert choices(ProgramList("territory"))[0].code == "lima_callao"


def test_constraints_are_the_request_models() -> None:
    questions = REGISTRATION.questions()
    pattern = RegisterRequest.model_json_schema()["properties"]["nationality"]["pattern"]
    assert questions["nationality"].constraint == f"regex(., '{pattern}')"
    assert questions["estimated_age_years"].constraint == ". >= 0 and . <= 120"
    assert "string-length(.) <= 100" in questions["given_names"].constraint
    assert "count-selected(.) <= 15" in questions["vulnerabilities"].constraint
    assert OUTREACH.questions()["participant_id"].constraint.endswith("position(..) <= 10000")


def test_a_changed_form_has_a_new_version() -> None:
    assert len({f.version() for f in FORMS.values()}) == len(FORMS)
    assert REGISTRATION.version() == REGISTRATION.version()


def test_kobo_and_central_submissions_read_into_answers_by_question_name() -> None:
    kobo = from_kobo("pana_registration", recorded("kobo_registration.json"))
    assert kobo.instance_id == "uuid:4f7b2c9e-61d3-4a8f-9b0e-2d5c7a1e8f36"
    assert kobo.enumerator == "kobo:ana_tumbes"
    assert kobo.filled_at == datetime.fromisoformat("2023-03-14T10:09:48.502-05:00")
    assert kobo.answers["given_names"] == "Yusmary Andreína"
    assert not any(k.startswith("_") or "/" in k for k in kobo.answers)
    page = recorded("odk_central_outreach.json")
    central = from_central("pana_outreach", page["value"][0])
    assert central.instance_id == "uuid:5a0c9e27-48b1-4d3f-b6e2-1f7d8a3c9e40"
    assert central.enumerator == "odk_central:41"
    assert central.answers["attendees"] == [
        {"participant_id": "9c4e1b7a-2f8d-4a36-b5c0-e7d3f1a29b84"}
    ]
    outreach = from_kobo("pana_outreach", recorded("kobo_outreach.json"))
    assert outreach.answers["attendees"][1] == {
        "participant_id": "7e2d4c18-3b9a-4f65-a0d7-c81e2f5b9346"
    }


def test_answers_become_the_api_bodies() -> None:
    answers = from_kobo("pana_registration", recorded("kobo_registration.json")).answers
    person, consent = bodies.registration(bodies.typed(REGISTRATION, answers))
    assert person.estimated_age_years == 31 and person.birth_date is None
    assert person.vulnerabilities == ["irregular_migratory_status", "in_transit"]
    assert consent is not None and set(consent.purposes) == {
        "services", "referral_sharing", "monitoring_evaluation",
    }  # fmt: skip
    assert consent.destinations == ["SIS", "EESS"]
    listed = from_kobo("pana_outreach", recorded("kobo_outreach.json")).answers
    body = bodies.outreach(bodies.typed(OUTREACH, listed), AT)
    assert len(body.participant_ids) == 2 and body.reached_at == AT


def test_an_answer_the_api_would_refuse_names_the_field_never_the_value() -> None:
    answers = from_kobo(
        "pana_registration", recorded("kobo_registration_unknown_region.json")
    ).answers
    with pytest.raises(Refused) as refused:
        bodies.registration(bodies.typed(REGISTRATION, answers))
    assert refused.value.rule == "invalid_answer"
    assert refused.value.message.startswith("region: ")
    assert "zarumilla" not in refused.value.message and "Wilmer" not in refused.value.message


def test_a_cost_typed_on_a_phone_becomes_money_text() -> None:
    case_id, body = bodies.services(
        {"case_id": "9b2e6f0c-8d1a-4f3e-b7c2-5a6d4e3f2a1b", "service_type": "lodging",
         "quantity": 3, "cost": "180.5"}, AT,
    )  # fmt: skip
    assert str(case_id).startswith("9b2e6f0c") and body.model_dump(mode="json")["cost"] == "180.50"


def test_registration_asks_the_program_s_population_type_and_attributes_optionally() -> None:
    questions = REGISTRATION.questions()
    asked = ["population_type", "attribute_disability", "attribute_lgbtiq"]
    assert all(name in questions and not questions[name].required for name in asked)
    assert questions["attribute_lgbtiq"].type == "select_one attribute_lgbtiq"
    assert questions["attribute_lgbtiq"].es.endswith("(responder es voluntario)")
    assert questions["attribute_disability"].en.endswith("(answering is voluntary)")
    assert "voluntario" not in questions["population_type"].es  # not sensitive: no note
    assert "attribute_nationality" not in questions  # nationality is asked once, as ISO code
    rows = list(load_workbook(io.BytesIO(workbook(REGISTRATION)))["choices"].values)
    assert ("population_type", "in_transit", "En tránsito", "In transit") in rows
    disability = ("attribute_disability", "with_disability", "Con discapacidad", "With disability")
    assert disability in rows
    assert ("attribute_lgbtiq", "yes", "Sí", "Yes") in rows


async def test_a_submission_s_attributes_reach_the_registered_event() -> None:
    answers = recorded("kobo_registration.json")
    answers |= {"person/population_type": "in_transit", "person/attribute_lgbtiq": "no",
                "person/attribute_disability": "with_disability"}  # fmt: skip
    given = bodies.typed(REGISTRATION, from_kobo("pana_registration", answers).answers)
    person, _ = bodies.registration(given)
    assert person.population_type == "in_transit"
    assert person.attributes == {"disability": "with_disability", "lgbtiq": "no"}

    world, personal = InMemory(), FakePersonalData()
    await register_in(world.ports, personal, personal, person, CASEWORKER, NOW)
    [registered] = world.store.events()
    assert registered.data["population_type"] == "in_transit"
    assert registered.data["attributes"] == {"disability": "with_disability", "lgbtiq": "no"}


def test_an_unknown_attribute_value_is_refused_by_name() -> None:
    answers = recorded("kobo_registration.json")
    answers |= {"person/attribute_disability": "blind", "person/attribute_lgbtiq": "no"}
    given = bodies.typed(REGISTRATION, from_kobo("pana_registration", answers).answers)
    with pytest.raises(Refused) as refused:
        bodies.registration(given)
    assert refused.value.message.startswith("attributes: ")
    assert "blind" not in refused.value.message and "not_asked" in refused.value.message


@pytest.mark.usefixtures("balkans")
def test_another_program_s_form_asks_its_own_attributes_and_they_reach_the_body() -> None:
    questions, lists = coarse_attributes()
    assert [q.name for q in questions] == [
        "population_type", "attribute_ethnicity", "attribute_disability",
    ]  # fmt: skip
    assert [c.code for c in choices(lists["attribute_ethnicity"])][:2] == ["roma", "egyptian"]
    assert "internally_displaced" in [c.code for c in choices(lists["population_type"])]
    form = Form("pana_attributes", "Atributos", "Attributes", (*_META, *questions), lists)
    warnings: list[str] = []
    assert "attribute_ethnicity" in convert(workbook(form), warnings=warnings).xform
    assert warnings == []

    person, _ = bodies.registration({
        "given_names": "Ana", "family_names": "Kovač", "sex": "woman",
        "birth_date": "1994-03-12", "nationality": "SRB", "region": "rs_nis",
        "population_type": "returnees", "attribute_ethnicity": "roma",
    })  # fmt: skip
    assert person.population_type == "returnees" and person.attributes == {"ethnicity": "roma"}
