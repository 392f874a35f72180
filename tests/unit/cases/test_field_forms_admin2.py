"""The services and outreach forms ask the act's province (admin2), optionally, offering only
the provinces of the region answered (XLSForm `choice_filter` on a `parent` column); pyxform
converts them, and a submission carrying one becomes the API's body with it."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from eventkit.decider import Refused
from services.cases.field_forms import bodies
from services.cases.field_forms.forms import OUTREACH, REGISTRATION, SERVICES, admin2_question
from services.cases.field_forms.submissions import from_kobo
from services.cases.field_forms.xlsform import Form, workbook
from tests.unit.cases.test_field_forms import AT, recorded

CASE = "9b2e6f0c-8d1a-4f3e-b7c2-5a6d4e3f2a1b"


@pytest.mark.parametrize(("form", "region"), [(OUTREACH, "region"), (SERVICES, "case_region")])
def test_the_province_is_offered_within_the_region_answered(form: Form, region: str) -> None:
    asked = form.questions()["admin2"]
    assert not asked.required and asked.relevant == f"${{{region}}} != ''"
    warnings: list[str] = []
    xform = convert(workbook(form), warnings=warnings, form_name=form.form_id).xform
    assert warnings == []
    assert f"instance('admin2')/root/item[parent =  /{form.form_id}/{region} ]" in xform
    sheet = load_workbook(io.BytesIO(workbook(form)))["choices"]
    rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][-1] == "parent"
    assert ("admin2", "tumbes_zarumilla", "Zarumilla", "Zarumilla", "tumbes") in rows
    assert ("admin2", "piura_paita", "Paita", "Paita", "piura") in rows
    assert {r[4] for r in rows[1:] if r[0] != "admin2"} == {None}  # other lists: no parent


def test_a_form_without_a_filter_keeps_its_choices_sheet() -> None:
    assert "admin2" not in REGISTRATION.questions() and not REGISTRATION.filtered()
    sheet = load_workbook(io.BytesIO(workbook(REGISTRATION)))["choices"]
    assert sheet.max_column == 4


def test_a_submission_s_province_reaches_the_body_and_an_unknown_one_is_refused() -> None:
    listed = from_kobo("pana_outreach", {**recorded("kobo_outreach.json"),
                                         "admin2": "tumbes_zarumilla"}).answers  # fmt: skip
    assert bodies.outreach(bodies.typed(OUTREACH, listed), AT).admin2 == "tumbes_zarumilla"
    plain = from_kobo("pana_outreach", recorded("kobo_outreach.json")).answers
    assert bodies.outreach(bodies.typed(OUTREACH, plain), AT).admin2 is None
    service = {"case_id": CASE, "service_type": "dignity_kit", "case_region": "piura",
               "admin2": "piura_paita"}  # fmt: skip
    _, body = bodies.services(bodies.typed(SERVICES, service), AT)
    assert body.admin2 == "piura_paita"
    assert "case_region" not in body.model_dump()  # asked only to offer the provinces
    with pytest.raises(Refused) as refused:
        bodies.services(bodies.typed(SERVICES, {**service, "admin2": "atlantis"}), AT)
    assert refused.value.message.startswith("admin2: ")
    assert "atlantis" not in refused.value.message


@pytest.mark.usefixtures("balkans")
def test_a_program_without_provinces_asks_none() -> None:
    assert admin2_question("region") == ((), {})
