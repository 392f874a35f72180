"""Case types are the program file's: which exist, which need a regularization profile, whose
reads are audited.

Commands take only the running program's case types (422 naming the field and the code), the
cases service's rules follow the file's flags, events carry the codes (history keeps them), and
logframes, imports and the web read them from the file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from contracts.vocabulary import IntakeChannel, Urgency
from deploy.imports.codes import codes
from eventkit.decider import Refused
from program.history import code_fields, removed_codes
from program.load import PROGRAMS_DIR, ProgramError, current_program, load_program
from services.cases import open_case
from services.cases.case_requests import OpenCaseRequest
from services.cases.cases_api import sensitive_types
from services.indicators.logframe import DEFAULT_DIRECTORY, load_logframe
from tests.unit.cases.givens import CASE, CONSENTING, NOW, STAFF, a_case
from web.i18n import translate
from web.vocabulary import CASE_TYPES

REQUEST = {
    "participant_id": "9b2e6f0c-8d1a-4f3e-b7c2-5a6d4e3f2a1b",
    "intake_channel": "admission_form",
}


def _error(refused: pytest.ExceptionInfo[ValidationError]) -> tuple[tuple[object, ...], str]:
    (error,) = refused.value.errors()
    return error["loc"], error["msg"]


def _open(case_type: str, profile: str | None, region: str) -> open_case.OpenCase:
    return open_case.OpenCase(
        CASE, CONSENTING, case_type, IntakeChannel.HOTLINE, profile, Urgency.ROUTINE, region,
        STAFF, NOW,
    )  # fmt: skip


def test_peru_opens_its_six_case_types_and_refuses_others_naming_the_code() -> None:
    assert current_program().ordered("case_type") == [
        "gbv_protection", "migratory_regularization", "health", "mental_health", "livelihoods",
        "in_transit",
    ]  # fmt: skip
    assert OpenCaseRequest(**REQUEST, case_type="health", region="piura").case_type == "health"

    with pytest.raises(ValidationError) as refused:
        OpenCaseRequest(**REQUEST, case_type="srmh", region="piura")
    loc, msg = _error(refused)
    assert loc == ("case_type",)
    assert "unknown case_type code 'srmh'" in msg and "gbv_protection" in msg


def test_peru_s_regularization_cases_need_a_profile_and_only_they_take_one() -> None:
    regular = {**REQUEST, "region": "piura", "case_type": "migratory_regularization"}
    assert OpenCaseRequest(**regular, regularization_profile="vulnerability").case_type
    with pytest.raises(ValidationError, match="required for, and only for, migratory_reg"):
        OpenCaseRequest(**regular)
    with pytest.raises(ValidationError, match="required for, and only for, migratory_reg"):
        OpenCaseRequest(
            **REQUEST, region="piura", case_type="health", regularization_profile="vulnerability"
        )

    with pytest.raises(Refused) as refused:
        open_case.decide(_open("migratory_regularization", None, "tumbes"), a_case())
    assert refused.value.rule == "regularization_profile_required"
    assert refused.value.message == (
        "regularization_profile is required for a migratory_regularization case"
    )
    with pytest.raises(Refused) as not_allowed:
        open_case.decide(_open("health", "vulnerability", "tumbes"), a_case())
    assert not_allowed.value.message == (
        "regularization_profile is only for migratory_regularization cases"
    )  # Peru's messages as before


def test_peru_audits_reads_of_gbv_and_mental_health_cases() -> None:
    assert sensitive_types() == {"gbv_protection", "mental_health"}


@pytest.mark.usefixtures("balkans")
def test_another_program_opens_its_own_case_types_with_its_own_rules() -> None:
    assert sensitive_types() == {"gbv_survivor_support", "srmh"}
    civil = {**REQUEST, "region": "rs_nis", "case_type": "civil_registration"}
    opened = OpenCaseRequest(**civil, regularization_profile="birth_not_registered")
    assert opened.case_type == "civil_registration"
    with pytest.raises(ValidationError, match="required for, and only for, civil_registration"):
        OpenCaseRequest(**civil)
    with pytest.raises(ValidationError) as refused:
        OpenCaseRequest(**REQUEST, region="rs_nis", case_type="gbv_protection")
    loc, msg = _error(refused)
    assert loc == ("case_type",) and "unknown case_type code 'gbv_protection'" in msg

    (event,) = open_case.decide(_open("srmh", None, "rs_nis"), a_case())
    assert event.case_type == "srmh"
    with pytest.raises(Refused) as not_allowed:
        open_case.decide(_open("education", "birth_not_registered", "rs_nis"), a_case())
    assert not_allowed.value.rule == "regularization_profile_not_allowed"
    with pytest.raises(Refused) as required:
        open_case.decide(_open("civil_registration", None, "rs_nis"), a_case())
    assert required.value.rule == "regularization_profile_required"
    with pytest.raises(Refused) as unknown:
        peru_s = _open("migratory_regularization", "birth_not_registered", "rs_nis")
        open_case.decide(peru_s, a_case())
    assert unknown.value.rule == "unknown_case_type"


def test_events_carry_case_type_codes_and_history_keeps_them() -> None:
    assert code_fields()[("case.opened", 1)]["case_type"] == "case_type"
    balkans = load_program(PROGRAMS_DIR / "western_balkans.yaml")
    seen = {"case_type": {"gbv_protection", "civil_registration"}}
    assert removed_codes(seen, balkans) == {"case_type": ["gbv_protection"]}


def test_a_misspelt_case_type_in_a_logframe_fails_at_load(tmp_path: Path) -> None:
    source = (DEFAULT_DIRECTORY / "pana_peru_2022_2023_y2.yaml").read_text()
    broken = source.replace("case_type: [gbv_protection]", "case_type: [gbv_protecton]")
    assert broken != source
    (tmp_path / "broken.yaml").write_text(broken)

    with pytest.raises(ValueError, match="not in the program's") as failure:
        load_logframe(tmp_path / "broken.yaml")
    assert "case.opened.case_type: ['gbv_protecton']" in str(failure.value)


def _balkans_with(tmp_path: Path, old: str, new: str) -> Path:
    text = (PROGRAMS_DIR / "western_balkans.yaml").read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    return broken


def test_a_typo_in_a_case_type_fails_start_up_naming_the_place(tmp_path: Path) -> None:
    broken = _balkans_with(tmp_path, "code: srmh, sensitive: true,", "code: srmh, sensitve: true,")

    with pytest.raises(ProgramError) as refused:
        load_program(broken)
    assert "broken.yaml: case_types[srmh].sensitve: Extra inputs are not permitted" in str(
        refused.value
    )


def test_a_regularization_case_type_without_profiles_fails_start_up(tmp_path: Path) -> None:
    text = (PROGRAMS_DIR / "western_balkans.yaml").read_text(encoding="utf-8")
    start, end = text.index("regularization_profiles:"), text.index("population_types:")
    bare = tmp_path / "bare.yaml"
    bare.write_text(text[:start] + text[end:], encoding="utf-8")

    with pytest.raises(ProgramError, match=r"case_types \['civil_registration'\] need a"):
        load_program(bare)


def test_imports_and_the_web_offer_the_programs_case_types_with_its_labels() -> None:
    program = current_program()
    assert codes("case_type") == program.ordered("case_type")
    # The person page has no profile field: regularization cases are opened elsewhere.
    assert list(CASE_TYPES) == [k.code for k in program.case_types if not k.regularization]
    assert "migratory_regularization" not in CASE_TYPES
    for kind in program.case_types:
        assert translate("es", f"code.{kind.code}") == kind.labels.es
        assert translate("en", f"code.{kind.code}") == kind.labels.en
