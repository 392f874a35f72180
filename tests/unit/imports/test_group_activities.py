"""Importing group activities: a row per activity, a column per sex and age group, checked as
the API checks them, one activity per reference however often the file is sent."""

from __future__ import annotations

from typing import Any

from deploy.imports.acts import activity_id
from deploy.imports.codes import codes
from deploy.imports.kinds import KINDS
from deploy.imports.templates import csv_template
from services.cases.group_activity_requests import GroupActivityRequest
from tests.unit.imports.test_dry_run import _check

HEADER = "activity_ref,kind,region,held_on,count_woman_youth,count_man_adults,count_woman_adults\n"


async def test_a_row_becomes_the_group_activity_command_with_its_cells() -> None:
    checked = await _check("group_activities", HEADER + "A-1,fair,tumbes,2026-03-02,40,12,\n")

    assert checked.valid, checked.errors
    [row] = checked.rows
    [act] = row.acts
    assert (act.service, act.path, act.model) == (
        "cases",
        "/group-activities",
        GroupActivityRequest,
    )
    assert act.body["activity_id"] == str(activity_id("A-1"))
    assert act.body["headcounts"] == [
        {"sex": "woman", "age_group": "youth", "count": 40},
        {"sex": "man", "age_group": "adults", "count": 12},
    ]
    assert act.body["held_at"].startswith("2026-03-02T12:00:00-05:00")  # midday in Lima


async def test_every_bad_cell_is_named_by_its_column() -> None:
    checked = await _check(
        "group_activities",
        HEADER
        + "A-1,karaoke,tumbes,2026-03-02,4,,\n"
        + "A-2,talk,tumbes,2026-03-02,0,0,0\n"
        + "A-3,talk,tumbes,2026-03-02,5,-2,\n"
        + "A-3,talk,tumbes,2026-03-02,5,,\n",
    )

    found: dict[tuple[int, str], Any] = {(e.row, e.column): e.en for e in checked.errors}
    assert "karaoke" in found[(2, "kind")]
    assert "at least 1" in found[(3, "count_woman_youth")]
    assert (4, "count_man_adults") in found
    assert (5, "activity_ref") in found  # the reference repeats


def test_the_template_offers_the_program_s_kinds_and_a_column_per_cell() -> None:
    names = csv_template("group_activities").decode().strip().split(",")

    assert names[:4] == ["activity_ref", "kind", "region", "held_on"]
    assert len(names) == 4 + 21 and "count_non_binary_older_adults" in names
    assert codes("group_activity_kind")[:2] == ["fair", "talk"]
    assert KINDS["group_activities"].key == ("activity_ref",)
