"""The indirect figure: its logframe block, checked at load, and its tables, plain sums."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from services.indicators.attainment import Filters, figures
from services.indicators.exports import donor_csv
from services.indicators.indirect import HeadcountSum, IndirectTarget, assemble
from services.indicators.ledger import Ledger
from services.indicators.logframe import Logframe, load_directory

Y2 = load_directory()["pana_peru_y2_v1"]


def test_year_two_counts_indirect_participants_against_46850_of_every_kind() -> None:
    assert Y2.indirect is not None
    assert (Y2.indirect.id, Y2.indirect.target) == ("INDIRECT", 46850)
    assert Y2.indirect.counted_kinds() == ["fair", "talk", "health_campaign", "social_media_post"]
    assert "INDIRECT" not in {i.id for i in Y2.all_indicators}


@pytest.mark.parametrize(
    ("block", "says"),
    [
        ({"title": "x", "target": 10, "kinds": ["karaoke"]}, "karaoke"),
        ({"title": "x", "target": 10, "kinds": []}, "group activity kinds"),
        ({"title": "x", "target": 0}, "greater than or equal to 1"),
        ({"title": "x", "target": 10, "kind": ["fair"]}, "Extra inputs"),
    ],
)
def test_a_wrong_block_fails_at_load(block: dict[str, Any], says: str) -> None:
    data = {**Y2.model_dump(mode="json", by_alias=True, exclude_none=True), "indirect": block}
    with pytest.raises(ValueError, match=says):
        Logframe.model_validate(data)


def test_the_tables_are_sums_by_sex_age_region_kind_and_local_month() -> None:
    block = IndirectTarget(title="Indirect", target=1000, kinds=["talk", "fair"])
    sums = [
        HeadcountSum("woman", "youth", "tumbes", "fair", "2022-09", 120),
        HeadcountSum("man", "youth", "tumbes", "fair", "2022-09", 80),
        HeadcountSum("woman", "youth", "piura", "talk", "2022-11", 30),
    ]

    shown = assemble(block, sums, 2, date(2022, 9, 1), date(2022, 11, 30))

    assert (shown.value, shown.percent, shown.activities, shown.unit) == (230, 23.0, 2, "headcount")
    assert shown.kinds == ["fair", "talk"]  # the program's order
    assert shown.kind_labels["talk"] == {"es": "Charla", "en": "Talk"}
    assert shown.sex_age["woman"]["youth"] == 150 and shown.sex_age["woman"]["total"] == 150
    assert shown.sex_age["total"]["total"] == 230 and shown.sex_age["non_binary"]["total"] == 0
    assert shown.regions["tumbes"] == 200 and shown.regions["piura"] == 30
    assert shown.by_kind == {"fair": 200, "talk": 30}
    assert [(m.month, m.new, m.cumulative) for m in shown.months] == [
        ("2022-09", 200, 200), ("2022-10", 0, 200), ("2022-11", 30, 230),
    ]  # fmt: skip


def test_the_csv_writes_the_indirect_rows_after_the_indicators_never_among_them() -> None:
    plain = figures(Y2, Ledger(), Filters())
    sums = [HeadcountSum("woman", "adults", "tumbes", "fair", "2022-09", 7)]
    assert Y2.indirect is not None
    with_indirect = replace(plain, indirect=assemble(Y2.indirect, sums, 1, plain.start, plain.end))

    before = donor_csv(plain)
    after = donor_csv(with_indirect)
    rows = list(csv.DictReader(io.StringIO(after)))

    assert after.startswith(before)  # every indicator row as it was
    added = rows[len(before.splitlines()) - 1 :]
    assert {r["indicator"] for r in added} == {"INDIRECT"}
    assert next(r["count"] for r in added if r["table"] == "value") == "7"
    direct = next(r for r in rows if r["indicator"] == "DIRECT" and r["table"] == "value")
    assert direct["count"] == "0"
