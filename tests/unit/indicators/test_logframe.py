"""Logframes are data: a second program loads and counts without code change; bad files fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.indicators.attainment import Filters, figures
from services.indicators.logframe import DEFAULT_DIRECTORY, load_directory, load_logframe
from tests.unit.indicators.builders import (
    case_opened,
    ledger_of,
    numbered,
    redeemed,
    referral_requested,
    registered,
    reversed_,
    service,
)

HERE = Path(__file__).parent / "logframes"


def test_a_second_program_with_other_indicators_counts_without_code_change() -> None:
    other = load_logframe(HERE / "colombia_2024.yaml")
    assert [i.id for i in other.all_indicators] == ["R1", "R2", "R3"]
    events = numbered(
        service(1, "kit_caminante", "2024-02-01"),
        service(1, "dignity_kit", "2024-03-01"),
        service(2, "dignity_kit", "2024-03-01"),
        service(3, "psychological_first_aid", "2024-03-01"),
        case_opened(4, "migratory_regularization", "2024-05-05"),
        redeemed(5, 1, "2024-06-01"),
        referral_requested(5, "CSMC", "2024-06-02"),
        redeemed(6, 2, "2024-06-01"),  # reversed: no longer counts
        reversed_(6, 2, "2024-06-03"),
        referral_requested(6, "CSMC", "2024-06-02"),
        service(7, "kit_caminante", "2023-12-31"),  # before the period
    )
    values = {i.id: i.value for i in figures(other, ledger_of(other, events), Filters()).indicators}
    # R2: the case builder opens profile IV (vulnerability), not profile I.
    assert values == {"R1": 2, "R2": 0, "R3": 1}


def test_both_programs_load_from_one_directory(tmp_path: Path) -> None:
    for source in [HERE / "colombia_2024.yaml", *DEFAULT_DIRECTORY.glob("*.yaml")]:
        (tmp_path / source.name).write_text(source.read_text())
    assert sorted(load_directory(tmp_path)) == [
        "colombia_2024_v1",
        "pana_peru_demo_v1",
        "pana_peru_y2_v1",
    ]


def test_a_version_based_on_another_overrides_only_what_it_gives() -> None:
    found = load_directory()
    demo, y2 = found["pana_peru_demo_v1"], found["pana_peru_y2_v1"]
    assert demo.indicators == y2.indicators
    assert demo.overall == y2.overall
    assert demo.period.start < y2.period.start
    assert demo.period.end > y2.period.end


BASE = """
key: broken
program: p
title: t
period: {start: 2024-01-01, end: 2024-12-31}
indicators:
  - id: X1
    title: x
    target: 10
    requires: [{name: n, any_of: [%s]}]
"""


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        ("{event: service.rendered}", "unknown event type 'service.rendered'"),
        ("{event: service.delivered, where: {colour: [red]}}", "has no field 'colour'"),
        ("{event: service.delivered, where: {service_type: [massage]}}", "['massage'] not in"),
        ("{event: referral.requested, act: ticket}", "has no field 'ticket'"),
        ("{event: participant.merged}", "has no field"),
    ],
)
def test_an_invalid_logframe_fails_at_load_naming_the_problem(
    tmp_path: Path, rule: str, says: str
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(BASE % rule)
    with pytest.raises(ValueError, match=r"broken\.yaml") as failure:
        load_logframe(path)
    assert says in str(failure.value)


def test_a_region_filter_reads_the_figure_against_that_region_s_target() -> None:
    y2 = load_directory()["pana_peru_y2_v1"]
    oe27 = y2.indicator("OE2.7")
    assert oe27 is not None
    with_tumbes = y2.model_copy(update={"indicators": [
        i.model_copy(update={"region_targets": {"tumbes": 40}}) if i.id == "OE2.7" else i
        for i in y2.indicators
    ]})  # fmt: skip
    ledger = ledger_of(with_tumbes, numbered(
        registered(1, "woman", "1990-01"), service(1, "psychological_first_aid", region="tumbes"),
    ))  # fmt: skip

    national = {i.id: i for i in figures(with_tumbes, ledger, Filters()).indicators}
    assert (national["OE2.7"].target, national["OE2.7"].percent) == (oe27.target, 0.0)
    tumbes = {i.id: i for i in figures(with_tumbes, ledger, Filters("tumbes")).indicators}
    assert (tumbes["OE2.7"].value, tumbes["OE2.7"].target, tumbes["OE2.7"].percent) == (1, 40, 2.5)
    assert (tumbes["OE2.2"].target, tumbes["OE2.2"].percent) == (None, None)  # none given


def test_a_region_target_for_a_region_the_program_lacks_fails_at_load(tmp_path: Path) -> None:
    source = (DEFAULT_DIRECTORY / "pana_peru_2022_2023_y2.yaml").read_text()
    broken = source.replace(
        "    target: 4000\n", "    target: 4000\n    region_targets: {narnia: 3}\n"
    )
    assert broken != source
    (tmp_path / "broken.yaml").write_text(broken)
    with pytest.raises(ValueError, match="region_targets"):
        load_logframe(tmp_path / "broken.yaml")
