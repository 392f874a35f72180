"""The R4V mapping is program data: validated with the program file, checked against the
logframes that use it, and the 5W's population type is each person's recorded one."""

from __future__ import annotations

import csv
import io

import pytest

from program.load import DEFAULT_PROGRAM_FILE, current_program, load_program
from program.model import Program
from program.r4v import R4VActivity
from services.indicators import logframe as logframe_module
from services.indicators.logframe import DEFAULT_DIRECTORY, load_directory, r4v_ids_unused
from services.indicators.reports.r4v import five_w, five_w_csv
from tests.unit.indicators.builders import corrected, ledger_of, numbered, registered, service

Y2 = load_directory()["pana_peru_y2_v1"]
PAP = "psychological_first_aid"
NONE = {"women": 0, "men": 0, "girls": 0, "boys": 0, "other": 0}


def peru_with(**r4v: object) -> dict[str, object]:
    document = current_program().model_dump(mode="json", by_alias=True)
    document["r4v"] = {**document["r4v"], **r4v}
    return document


def test_the_program_file_s_r4v_section_is_validated() -> None:
    assert Program.model_validate(peru_with()).r4v == current_program().r4v
    with pytest.raises(ValueError, match=r"r4v\.population_type: 'refugees' not in"):
        Program.model_validate(peru_with(population_type="refugees"))
    with pytest.raises(ValueError, match="activity"):
        Program.model_validate(peru_with(indicators={"OE2.7": {"sector": "x", "indicator": "y"}}))
    with pytest.raises(ValueError, match="country"):
        Program.model_validate(peru_with(country=""))


def test_every_id_peru_maps_is_a_people_indicator_of_a_peru_logframe() -> None:
    logframes = [
        *load_directory().values(),
        *load_directory(DEFAULT_DIRECTORY / "peru_phase_1").values(),
    ]
    assert r4v_ids_unused(logframes) == []
    phase_1 = load_directory(DEFAULT_DIRECTORY / "peru_phase_1").values()
    assert r4v_ids_unused(phase_1) == ["OE2.5", "OE3.6"]  # named at start-up, not refused
    assert set(next(iter(phase_1)).r4v_activities()) == {"OE1.1", "OE2.2", "OE2.4", "OE2.7"}


def test_a_mapped_cases_indicator_or_an_override_without_the_program_s_section_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reporting = current_program().r4v
    assert reporting is not None
    cases = {**reporting.indicators, "OE1.3": R4VActivity(sector="P", indicator="x", activity="y")}
    mapped = current_program().model_copy(
        update={"r4v": reporting.model_copy(update={"indicators": cases})}
    )
    doc = Y2.model_dump(mode="json")
    monkeypatch.setattr(logframe_module, "current_program", lambda: mapped)
    with pytest.raises(ValueError, match=r"OE1\.3: R4V reports people"):
        type(Y2).model_validate(doc)
    silent = current_program().model_copy(update={"r4v": None})
    monkeypatch.setattr(logframe_module, "current_program", lambda: silent)
    doc["indicators"][0]["r4v"] = {"sector": "Protection", "indicator": "x", "activity": "y"}
    with pytest.raises(ValueError, match="program file has no `r4v:`"):
        type(Y2).model_validate(doc)


def test_an_indicator_s_own_r4v_overrides_the_program_s() -> None:
    own = R4VActivity(sector="Protection", indicator="Own", activity="Own activity")
    pap = next(i for i in Y2.indicators if i.id == "OE2.7")
    changed = Y2.model_copy(
        update={"indicators": [i.model_copy(update={"r4v": own}) if i is pap else i
                               for i in Y2.indicators]}
    )  # fmt: skip
    assert changed.r4v_activities()["OE2.7"] == own
    assert Y2.r4v_activities()["OE2.7"].indicator.startswith("Number of people who receive")


def test_rows_split_by_each_person_s_recorded_population_type() -> None:
    ledger = ledger_of(Y2, numbered(
        registered(1, "woman", "1990-05"),  # none recorded: the program's in_destination
        registered(2, "man", "1985-02"),
        corrected(2, "2023-01-02", population_type="in_transit"),
        registered(3, "woman", "2012-06"),
        corrected(3, "2023-01-02", population_type="in_transit"),
        service(1, PAP, "2023-01-10"),
        service(2, PAP, "2023-01-11"),
        service(3, PAP, "2023-02-03"),
    ))  # fmt: skip
    rows = {
        (r.population_type, r.month): r
        for r in five_w(Y2, ledger, 2023)
        if r.indicator == "OE2.7" and r.month in ("2023-01", "2023-02")
    }
    assert set(rows) == {
        (k, m) for k in ("in_destination", "in_transit") for m in ("2023-01", "2023-02")
    }
    assert rows[("in_destination", "2023-01")].monthly == {**NONE, "women": 1}
    assert rows[("in_transit", "2023-01")].monthly == {**NONE, "men": 1}
    assert rows[("in_transit", "2023-02")].monthly == {**NONE, "girls": 1}
    assert rows[("in_transit", "2023-02")].consolidated == {**NONE, "men": 1, "girls": 1}
    assert rows[("in_destination", "2023-02")].consolidated == {**NONE, "women": 1}
    lines = list(csv.reader(io.StringIO(five_w_csv(Y2, five_w(Y2, ledger, 2023)))))
    january = {x[9]: x[11:17] for x in lines[1:] if x[10] == "OE2.7" and x[8] == "2023-01"}
    assert january == {"In destination": ["1", "0", "0", "0", "0", "1"],
                       "In transit": ["0", "1", "0", "0", "0", "1"]}  # fmt: skip


def test_the_shipped_file_loads_with_its_section() -> None:
    reporting = load_program(DEFAULT_PROGRAM_FILE).r4v
    assert reporting is not None and reporting.population_type == "in_destination"
