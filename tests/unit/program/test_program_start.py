"""The program's start is its file's `start`; `PANA_FIELD_TIME_PROGRAM_START` still overrides it
(a previous phase's data is recorded over the same vocabulary with an earlier start)."""

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from eventkit.decider import Refused
from eventkit.field_time import FieldTimeRules, FieldTimeSettings, configured, happened
from program.load import DEFAULT_PROGRAM_FILE, PROGRAMS_DIR, current_program, load_program

NOW = datetime(2023, 3, 1, 15, tzinfo=UTC)
PHASE_ONE = datetime(2020, 5, 4, 10, tzinfo=UTC)


@pytest.fixture
def program_file(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Switch PANA_PROGRAM_FILE (and the field-time variables) for one test, reading afresh."""
    monkeypatch.delenv("PANA_FIELD_TIME_PROGRAM_START", raising=False)
    current_program.cache_clear()
    configured.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    current_program.cache_clear()
    configured.cache_clear()


def test_peru_s_file_starts_phase_two_and_the_rules_take_it(program_file: object) -> None:
    assert load_program(DEFAULT_PROGRAM_FILE).start == date(2021, 9, 1)
    assert FieldTimeRules().program_start == date(2021, 9, 1)
    assert configured().program_start == date(2021, 9, 1)

    with pytest.raises(Refused) as refused:
        happened("registered", PHASE_ONE, NOW, configured())
    assert refused.value.rule == "registered_before_program_start"
    assert "(2021-09-01)" in str(refused.value)


def test_another_file_s_start_is_the_rules_start(
    program_file: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    text = (PROGRAMS_DIR / "western_balkans.yaml").read_text(encoding="utf-8")
    started = tmp_path / "started.yaml"
    started.write_text(text + "start: 2024-03-01\n", encoding="utf-8")
    program_file.setenv("PANA_PROGRAM_FILE", str(started))

    rules = FieldTimeSettings().rules()
    assert rules.program_start == date(2024, 3, 1)
    with pytest.raises(Refused) as refused:
        happened("delivered", datetime(2024, 2, 29, tzinfo=UTC), NOW.replace(year=2025), rules)
    assert refused.value.rule == "delivered_before_program_start"


def test_a_file_without_a_start_bounds_acts_only_by_plausibility(
    program_file: pytest.MonkeyPatch,
) -> None:
    program_file.setenv("PANA_PROGRAM_FILE", str(PROGRAMS_DIR / "western_balkans.yaml"))

    rules = FieldTimeSettings().rules()
    assert rules.program_start == date(1900, 1, 1)
    assert happened("registered", PHASE_ONE, NOW, rules) == PHASE_ONE


def test_the_environment_overrides_the_file_for_a_previous_phase(
    program_file: pytest.MonkeyPatch,
) -> None:
    program_file.setenv("PANA_FIELD_TIME_PROGRAM_START", "2019-09-01")

    assert configured().program_start == date(2019, 9, 1)
    assert happened("registered", PHASE_ONE, NOW, configured()) == PHASE_ONE
