"""Identity documents, livelihood lines and regularization profiles are the program file's.

Commands take only the running program's codes (422 naming the field and the code), events
carry the codes (history is checked like the other program codes), and the field forms, the
import templates and the web's choices list them with the file's labels.
"""

from pathlib import Path

import pytest
from pydantic import ValidationError

from deploy.imports.codes import codes
from program.history import code_fields, removed_codes
from program.load import PROGRAMS_DIR, ProgramError, current_program, load_program
from services.cases.acts_requests import EnrolRequest
from services.cases.case_requests import OpenCaseRequest
from services.cases.field_forms.choices import choices
from services.cases.field_forms.forms import LIVELIHOOD, REGISTRATION
from services.cases.participant_requests import RegisterRequest
from services.referrals.shared_minimum import SharedMinimum
from web.i18n import translate
from web.vocabulary import CHOICES, DOCUMENT_TYPES

PERSON = {
    "given_names": "Ana",
    "family_names": "Pérez",
    "sex": "woman",
    "estimated_age_years": 30,
    "nationality": "VEN",
}
CASE = {
    "participant_id": "9b2e6f0c-8d1a-4f3e-b7c2-5a6d4e3f2a1b",
    "case_type": "migratory_regularization",
    "intake_channel": "admission_form",
}


def _error(refused: pytest.ExceptionInfo[ValidationError]) -> tuple[tuple[object, ...], str]:
    (error,) = refused.value.errors()
    return error["loc"], error["msg"]


def test_peru_registers_its_documents_and_none_by_default() -> None:
    assert RegisterRequest(**PERSON, region="piura", document_type="ptp").document_type == "ptp"
    assert RegisterRequest(**PERSON, region="piura").document_type == "none"

    with pytest.raises(ValidationError) as refused:
        RegisterRequest(**PERSON, region="piura", document_type="identity_card")
    loc, msg = _error(refused)
    assert loc == ("document_type",)
    assert "unknown document_type code 'identity_card'" in msg and "ptp" in msg


@pytest.mark.usefixtures("balkans")
def test_another_program_takes_its_own_documents_lines_and_profiles() -> None:
    person = {**PERSON, "region": "rs_nis"}
    assert RegisterRequest(**person, document_type="birth_certificate").document_type
    assert SharedMinimum(document_type="identity_card").document_type == "identity_card"
    civil = {**CASE, "case_type": "civil_registration"}  # the Balkans' regularization cases
    case = OpenCaseRequest(**civil, region="rs_nis", regularization_profile="birth_not_registered")
    assert case.regularization_profile == "birth_not_registered"

    with pytest.raises(ValidationError) as refused:
        RegisterRequest(**person, document_type="dni")
    assert _error(refused)[0] == ("document_type",)
    with pytest.raises(ValidationError) as refused:
        SharedMinimum(document_type="ptp")
    assert _error(refused)[0] == ("document_type",)
    with pytest.raises(ValidationError) as refused:
        OpenCaseRequest(**civil, region="rs_nis", regularization_profile="vulnerability")
    assert _error(refused)[0] == ("regularization_profile",)
    with pytest.raises(ValidationError) as refused:
        EnrolRequest(program="impulsate_pana")
    loc, msg = _error(refused)
    assert loc == ("program",)
    assert "unknown livelihood_program code 'impulsate_pana'" in msg


def test_peru_keeps_its_lines_and_profiles() -> None:
    assert EnrolRequest(program="despega_tus_suenos").program == "despega_tus_suenos"
    case = OpenCaseRequest(**CASE, region="piura", regularization_profile="vulnerability")
    assert case.regularization_profile == "vulnerability"
    with pytest.raises(ValidationError) as refused:
        OpenCaseRequest(**CASE, region="piura", regularization_profile="birth_not_registered")
    assert _error(refused)[0] == ("regularization_profile",)


def test_the_openapi_schema_lists_the_programs_documents() -> None:
    schema = RegisterRequest.model_json_schema()["properties"]["document_type"]
    assert schema["enum"] == sorted(current_program().codes("document_type"))
    assert schema["default"] == "none"


def test_events_carry_the_codes_and_history_keeps_them() -> None:
    fields = code_fields()
    assert fields[("case.opened", 1)]["regularization_profile"] == "regularization_profile"
    assert fields[("livelihood.enrolled", 1)]["program"] == "livelihood_program"
    assert fields[("livelihood.outcome_recorded", 1)]["program"] == "livelihood_program"

    balkans = load_program(PROGRAMS_DIR / "western_balkans.yaml")
    seen = {"livelihood_program": {"impulsate_pana"}, "regularization_profile": {"vulnerability"}}
    assert removed_codes(seen, balkans) == {
        "livelihood_program": ["impulsate_pana"],
        "regularization_profile": ["vulnerability"],
    }


def test_forms_and_imports_list_the_programs_codes_with_its_labels() -> None:
    program = current_program()
    documents = choices(REGISTRATION.lists["document_type"])
    assert [c.code for c in documents] == program.ordered("document_type")
    assert ("foreigner_card", "Carné de extranjería", "Foreigner card") in documents
    lines = choices(LIVELIHOOD.lists["program"])
    assert [c.code for c in lines] == program.ordered("livelihood_program")
    for name in ("document_type", "livelihood_program", "regularization_profile"):
        assert codes(name) == program.ordered(name)


def test_a_program_without_a_none_document_is_refused(tmp_path: Path) -> None:
    text = (PROGRAMS_DIR / "western_balkans.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        text.replace("  - {code: none, labels: {es: Sin documento, en: None}}\n", ""),
        encoding="utf-8",
    )

    with pytest.raises(ProgramError) as refused:
        load_program(broken)
    assert "broken.yaml: document_types: " in str(refused.value)
    assert "must include 'none'" in str(refused.value)


def test_a_program_that_lists_no_documents_has_passport_other_and_none(tmp_path: Path) -> None:
    text = (PROGRAMS_DIR / "western_balkans.yaml").read_text(encoding="utf-8")
    start, end = text.index("document_types:"), text.index("# No livelihood lines.")
    bare = tmp_path / "bare.yaml"
    bare.write_text(text[:start] + text[end:], encoding="utf-8")

    assert load_program(bare).ordered("document_type") == ["passport", "other", "none"]


def test_the_web_offers_the_programs_documents_with_its_labels() -> None:
    program = current_program()
    assert list(DOCUMENT_TYPES) == program.ordered("document_type")
    assert CHOICES["document_type"] == DOCUMENT_TYPES
    for document in program.document_types:
        assert translate("es", f"code.{document.code}") == document.labels.es
        assert translate("en", f"code.{document.code}") == document.labels.en
    line = program.livelihood_programs[0]
    assert translate("en", f"code.{line.code}") == line.labels.en
