"""Livelihood outcomes are the program file's: which exist, which count as work started, which
need an earlier fact.

Commands take only the running program's outcomes (422 naming the field and the code), the
cases service's rules follow the file's `starts_work` and `needs`, events carry the codes
(history keeps them), and logframes, field forms and imports read them from the file.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from contracts.event import Event
from contracts.vocabulary import ConsentPurpose
from deploy.imports.codes import codes
from eventkit.decider import Refused
from program.history import code_fields, removed_codes
from program.known import example
from program.load import PROGRAMS_DIR, ProgramError, current_program, load_program
from services.cases import enrol, finish_training, livelihoods, record_outcome
from services.cases.acts_requests import OutcomeRequest
from services.cases.field_forms.choices import choices
from services.cases.field_forms.forms import LIVELIHOOD
from services.indicators.logframe import DEFAULT_DIRECTORY, load_logframe
from tests.unit.cases.givens import NOW, STAFF, consented, person, registered
from web.i18n import translate

# The Western Balkans' file with a line of its own and outcomes of other names: a job found
# starts work, a job kept half a year needs it, a certificate counts after the training.
LINES = """
livelihood_programs:
  - {code: roma_women_jobs, labels: {es: Empleo para mujeres romaníes, en: Jobs for Roma women}}
livelihood_outcomes:
  - {code: job_found, starts_work: true, labels: {es: Empleo encontrado, en: Job found}}
  - {code: job_kept_half_year, needs: work_started_six_months_before,
     labels: {es: Empleo mantenido medio año, en: Job kept half a year}}
  - {code: certificate_used, needs: within_six_months_of_training,
     labels: {es: Certificado aplicado, en: Certificate used}}
  - {code: school_completed, labels: {es: Escuela terminada, en: School completed}}
"""


@pytest.fixture
def with_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    text = (PROGRAMS_DIR / "western_balkans.yaml").read_text(encoding="utf-8")
    path = tmp_path / "balkans_with_lines.yaml"
    path.write_text(text + LINES, encoding="utf-8")
    monkeypatch.setenv("PANA_PROGRAM_FILE", str(path))
    current_program.cache_clear()
    yield
    monkeypatch.undo()
    current_program.cache_clear()


def _record(program: str, outcome: str, days: int, *events: Event) -> list[Event]:
    both = consented(ConsentPurpose.SERVICES, ConsentPurpose.MONITORING_EVALUATION)
    step = livelihoods.Step(program, "rs_nis", STAFF, NOW, NOW + timedelta(days=400))
    enrolled = (registered(), both, *enrol.decide(enrol.Enrol(step), person(registered(), both)))
    at = livelihoods.Step(
        program, "rs_nis", STAFF, NOW + timedelta(days=days), NOW + timedelta(days=400)
    )
    command = record_outcome.RecordOutcome(at, uuid.uuid4(), outcome)
    return list(record_outcome.decide(command, person(*enrolled, *events)))


def _trained(program: str) -> list[Event]:
    both = consented(ConsentPurpose.SERVICES, ConsentPurpose.MONITORING_EVALUATION)
    step = livelihoods.Step(program, "rs_nis", STAFF, NOW, NOW + timedelta(days=400))
    enrolled = (registered(), both, *enrol.decide(enrol.Enrol(step), person(registered(), both)))
    return list(finish_training.decide(finish_training.FinishTraining(step), person(*enrolled)))


def test_peru_records_its_six_outcomes_and_refuses_others_naming_the_code() -> None:
    assert current_program().ordered("livelihood_outcome") == [
        "employment_obtained", "self_employment_obtained", "employment_kept_6_months",
        "income_increased", "business_started", "vocational_skills_used",
    ]  # fmt: skip
    asked = {"program": "despega_tus_suenos", "observed_at": "2023-01-15T12:00:00Z"}
    assert OutcomeRequest(**asked, outcome="business_started").outcome == "business_started"

    with pytest.raises(ValidationError) as refused:
        OutcomeRequest(**asked, outcome="job_found")
    (error,) = refused.value.errors()
    assert error["loc"] == ("outcome",)
    assert "unknown livelihood_outcome code 'job_found'" in error["msg"]
    assert "employment_obtained" in error["msg"]


def test_peru_s_rules_name_its_outcomes_as_before() -> None:
    assert livelihoods.work_started() == {"employment_obtained", "self_employment_obtained"}
    with pytest.raises(Refused) as refused:
        _record("despega_tus_suenos", "employment_kept_6_months", 10)
    assert refused.value.rule == "employment_not_six_months"
    assert refused.value.message == (
        "employment_kept_6_months needs employment_obtained or self_employment_obtained"
        " six months before"
    )
    with pytest.raises(Refused) as outside:
        _record("despega_tus_suenos", "vocational_skills_used", 10)
    assert outside.value.message == (
        "vocational_skills_used counts within six months after finishing the training"
    )


@pytest.mark.usefixtures("with_lines")
def test_another_program_s_outcomes_follow_its_own_rules() -> None:
    line = "roma_women_jobs"
    asked = {"program": line, "observed_at": "2024-05-01T12:00:00Z"}
    assert OutcomeRequest(**asked, outcome="school_completed").outcome == "school_completed"
    with pytest.raises(ValidationError, match="unknown livelihood_outcome code 'business_started'"):
        OutcomeRequest(**asked, outcome="business_started")

    assert livelihoods.work_started() == {"job_found"}
    job = _record(line, "job_found", 0)
    with pytest.raises(Refused) as early:
        _record(line, "job_kept_half_year", 100, *job)
    assert early.value.rule == "employment_not_six_months"
    assert early.value.message == "job_kept_half_year needs job_found six months before"
    (kept,) = _record(line, "job_kept_half_year", 200, *job)
    assert kept.outcome == "job_kept_half_year"  # type: ignore[attr-defined]

    with pytest.raises(Refused) as untrained:
        _record(line, "certificate_used", 10)
    assert untrained.value.rule == "outside_training_window"
    assert _record(line, "certificate_used", 100, *_trained(line))
    with pytest.raises(Refused) as unknown:
        _record(line, "employment_obtained", 10)
    assert unknown.value.rule == "unknown_livelihood_outcome"

    assert [c.code for c in choices(LIVELIHOOD.lists["outcome"])] == [
        "job_found", "job_kept_half_year", "certificate_used", "school_completed",
    ]  # fmt: skip
    assert codes("livelihood_outcome") == current_program().ordered("livelihood_outcome")


def test_events_carry_outcome_codes_and_history_keeps_them() -> None:
    assert code_fields()[("livelihood.outcome_recorded", 1)]["outcome"] == "livelihood_outcome"
    balkans = load_program(PROGRAMS_DIR / "western_balkans.yaml")
    seen = {"livelihood_outcome": {"business_started"}}
    assert removed_codes(seen, balkans) == {"livelihood_outcome": ["business_started"]}


def test_a_misspelt_outcome_in_a_logframe_fails_at_load(tmp_path: Path) -> None:
    source = (DEFAULT_DIRECTORY / "pana_peru_2022_2023_y2.yaml").read_text()
    broken = source.replace("outcome: [business_started]", "outcome: [busines_started]")
    assert broken != source
    (tmp_path / "broken.yaml").write_text(broken)

    with pytest.raises(ValueError, match="not in the program's") as failure:
        load_logframe(tmp_path / "broken.yaml")
    assert "livelihood.outcome_recorded.outcome: ['busines_started']" in str(failure.value)


def test_a_kept_outcome_with_nothing_that_starts_work_fails_start_up(tmp_path: Path) -> None:
    text = (PROGRAMS_DIR / "western_balkans.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text(text + LINES.replace("starts_work: true, ", ""), encoding="utf-8")

    with pytest.raises(ProgramError, match=r"\['job_kept_half_year'\] need work started"):
        load_program(broken)


def test_a_typo_in_an_outcome_s_rule_fails_start_up_naming_the_place(tmp_path: Path) -> None:
    text = (PROGRAMS_DIR / "western_balkans.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    typo = LINES.replace("needs: within_six_months_of_training", "needs: within_training")
    broken.write_text(text + typo, encoding="utf-8")

    with pytest.raises(ProgramError) as refused:
        load_program(broken)
    assert "broken.yaml: livelihood_outcomes[certificate_used].needs: " in str(refused.value)


def test_field_forms_and_the_web_label_peru_s_outcomes_from_the_file() -> None:
    outcomes = choices(LIVELIHOOD.lists["outcome"])
    assert ("business_started", "Negocio iniciado", "Business started") in outcomes
    for outcome in current_program().livelihood_outcomes:
        assert translate("es", f"code.{outcome.code}") == outcome.labels.es


@pytest.mark.usefixtures("balkans")
def test_an_empty_vocabulary_s_example_is_its_name() -> None:
    assert example("livelihood_outcome", 4) == "livelihood_outcome"
    assert example("livelihood_program", 1) == "livelihood_program"


def test_the_request_models_load_under_a_program_without_livelihood_lines() -> None:
    # Their OpenAPI examples are read at import: an empty list divided by zero there, so a
    # cases service given the Western Balkans' file did not start.
    env = {**os.environ, "PANA_PROGRAM_FILE": str(PROGRAMS_DIR / "western_balkans.yaml")}
    loaded = subprocess.run(
        [sys.executable, "-c", "import services.cases.acts_requests, services.cases.case_requests"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert loaded.returncode == 0, loaded.stderr
