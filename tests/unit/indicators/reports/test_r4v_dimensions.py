"""The 5W's population type is the program's dimension `/attainment` answers: for a logframe
that disaggregates by it, the year-to-date consolidated figure of each population type, summed
over territories, equals the answer's sex x population type table for the same window, cell by
cell (people with none recorded in the program's default type, as the 5W reports them)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from program.load import current_program
from services.indicators.attainment import TOTAL, Filters, figures
from services.indicators.logframe import DEFAULT_DIRECTORY, load_logframe
from services.indicators.people import UNKNOWN
from services.indicators.reports.r4v import five_w
from tests.unit.indicators.builders import corrected, ledger_of, numbered, registered, service

PAP = "psychological_first_aid"


def with_population_type(tmp_path: Path) -> Path:
    text = (DEFAULT_DIRECTORY / "pana_peru_2022_2023_y2.yaml").read_text()
    text = text.replace("key: pana_peru_y2_v1", "key: pana_peru_y2_types")
    text = text.replace(
        "disaggregations: [sex_age, region, month]",
        "disaggregations: [sex_age, region, month, population_type]",
    )
    (tmp_path / "y2.yaml").write_text(text)
    return tmp_path / "y2.yaml"


def test_the_5w_population_types_equal_the_answer_s_table(tmp_path: Path) -> None:
    lf = load_logframe(with_population_type(tmp_path))
    people = [  # (sex, born, population type recorded or None, region, day)
        ("woman", "1990-05", "host_community", "lima_callao", "2023-01-10"),
        ("woman", "2012-03", "host_community", "piura", "2023-02-11"),
        ("man", "1985-02", "in_transit", "tumbes", "2023-02-20"),
        ("man", "2015-07", None, "lima_callao", "2023-03-05"),
        ("non_binary", "1999-09", None, "piura", "2023-03-06"),
        ("woman", "1970-01", "pendular", "la_libertad", "2023-03-30"),
        ("woman", "1995-04", None, "tumbes", "2023-04-02"),  # after the window: in neither
    ]
    events = []
    for p, (sex, born, kind, region, day) in enumerate(people, start=1):
        events += [registered(p, sex, born, day="2023-01-02"), service(p, PAP, day, region)]
        if kind is not None:
            events.append(corrected(p, day="2023-01-03", population_type=kind))
    ledger = ledger_of(lf, numbered(*events))
    reporting = current_program().r4v
    assert reporting is not None, "Peru's file reports to R4V"
    default = reporting.population_type
    rows = [r for r in five_w(lf, ledger, 2023) if r.indicator == "OE2.7" and r.month == "2023-03"]
    answer = figures(lf, ledger, Filters(None, date(2023, 1, 1), date(2023, 3, 31)))
    table = next(t for t in next(i for i in answer.indicators if i.id == "OE2.7").dimensions
                 if t.dimension == "population_type").sex  # fmt: skip

    compared = 0
    for kind in [k for k in table[TOTAL] if k not in (TOTAL, UNKNOWN)]:
        ytd = [r.consolidated for r in rows if r.population_type == kind]
        summed = {g: sum(c[g] for c in ytd) for g in ("women", "men", "girls", "boys", "other")}
        folded = [kind, UNKNOWN] if kind == default else [kind]
        cell = {s: sum(int(table[s][k]) for k in folded) for s in table}
        assert summed["women"] + summed["girls"] == cell["woman"], kind
        assert summed["men"] + summed["boys"] == cell["man"], kind
        assert summed["other"] == cell["non_binary"] + cell[UNKNOWN], kind
        assert sum(summed.values()) == cell[TOTAL], kind
        compared += 4
    assert compared == 4 * len(current_program().population_types)
    assert table[TOTAL][TOTAL] == 6  # the April person is outside January to March
    assert {r.population_type for r in rows} == {default, "host_community", "in_transit",
                                                 "pendular"}  # fmt: skip
