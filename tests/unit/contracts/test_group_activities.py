"""A group activity counts people by sex and age group and names no one."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from contracts.examples import example_data
from contracts.group_activities import GroupActivityRecorded
from program.load import DEFAULT_PROGRAM_FILE, load_program


def _data(**changes: Any) -> dict[str, Any]:
    return {**example_data()["group_activity.recorded.v1"], **changes}


def test_cells_are_sorted_so_one_activity_has_one_wire_form() -> None:
    cells = [
        {"sex": "man", "age_group": "youth", "count": 3},
        {"sex": "woman", "age_group": "adults", "count": 2},
        {"sex": "woman", "age_group": "youth", "count": 1},
    ]
    shuffled = GroupActivityRecorded.model_validate(_data(headcounts=cells))
    ordered = GroupActivityRecorded.model_validate(_data(headcounts=[cells[2], cells[1], cells[0]]))

    assert shuffled.model_dump_json() == ordered.model_dump_json()
    assert (shuffled.headcounts[0].sex, shuffled.headcounts[0].age_group) == ("woman", "youth")
    assert shuffled.total == 6


@pytest.mark.parametrize(
    ("cells", "why"),
    [
        ([{"sex": "woman", "age_group": "youth", "count": 0}], "total must be at least 1"),
        (
            [
                {"sex": "woman", "age_group": "youth", "count": 1},
                {"sex": "woman", "age_group": "youth", "count": 2},
            ],
            "at most once",
        ),
        ([{"sex": "woman", "age_group": "youth", "count": -1}], "greater than or equal"),
        ([{"sex": "woman", "age_group": "youth", "count": True}], "valid integer"),
        ([{"sex": "woman", "age_group": "youth", "count": 1_000_001}], "less than or equal"),
        ([{"sex": "other", "age_group": "youth", "count": 1}], "sex"),
        ([], "at least 1 item"),
    ],
)
def test_headcounts_no_activity_means_are_refused(cells: list[dict[str, Any]], why: str) -> None:
    with pytest.raises(ValidationError, match=why):
        GroupActivityRecorded.model_validate(_data(headcounts=cells))


def test_a_person_id_cannot_be_smuggled_in() -> None:
    with pytest.raises(ValidationError, match="Extra inputs"):
        GroupActivityRecorded.model_validate(
            _data(participant_id="da20406e-1d9e-5659-869c-26d22a667aa2")
        )


def test_the_programs_name_their_kinds_of_group_activity_with_labels() -> None:
    peru = load_program(DEFAULT_PROGRAM_FILE)

    assert peru.ordered("group_activity_kind") == [
        "fair", "talk", "health_campaign", "social_media_post",
    ]  # fmt: skip
    assert peru.terms("group_activity_kind")[0].labels.es == "Feria"
    balkans = load_program(DEFAULT_PROGRAM_FILE.with_name("western_balkans.yaml"))
    assert "community_session" in balkans.codes("group_activity_kind")
