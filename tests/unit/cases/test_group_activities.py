"""Group activities: recorded once with headcounts, dated by when they were held, audited."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from contracts.group_activities import GroupActivityRecorded, Headcount
from contracts.people import AgeGroup, Sex
from eventkit.decider import Refused
from services.cases import record_group_activity as recording
from services.cases.field_forms.bodies import activity_id, group_activity, typed
from services.cases.field_forms.choices import choices
from services.cases.field_forms.forms import FORMS, FormKind
from services.cases.group_activity import GroupActivity, evolve
from services.cases.group_activity_commands import recorded
from services.cases.group_activity_requests import GroupActivityRequest
from services.cases.results import ActivityRecorded
from tests.support.deciders import Given, then_only, then_refused, when
from tests.support.peru import Region
from tests.unit.cases.fakes import CASEWORKER, SUPERVISOR, InMemory
from tests.unit.cases.givens import NOW, STAFF

ACTIVITY = uuid.uuid5(uuid.NAMESPACE_OID, "fair")
CELLS = (
    Headcount(sex=Sex.WOMAN, age_group=AgeGroup.YOUTH, count=40),
    Headcount(sex=Sex.MAN, age_group=AgeGroup.ADULTS, count=12),
)
given = Given(evolve, GroupActivity())


def command(**changes: Any) -> recording.RecordGroupActivity:
    values: dict[str, Any] = {
        "activity_id": ACTIVITY, "kind": "fair", "region": Region.LIMA_CALLAO,
        "headcounts": CELLS, "held_at": NOW - timedelta(days=2), "by": STAFF, "now": NOW,
    }  # fmt: skip
    return recording.RecordGroupActivity(**{**values, **changes})


def test_an_activity_is_recorded_with_its_headcounts_and_when_it_was_held() -> None:
    event = then_only(
        when(recording.decide, command(), given()),
        GroupActivityRecorded,
        activity_id=ACTIVITY,
        held_at=NOW - timedelta(days=2),
    )

    assert (event.kind, event.total) == ("fair", 52)


def test_an_activity_without_a_moment_happened_now() -> None:
    then_only(when(recording.decide, command(held_at=None), given()), GroupActivityRecorded,
              held_at=NOW)  # fmt: skip


def test_the_same_activity_is_not_recorded_twice() -> None:
    first = recording.decide(command(), given())

    then_refused(when(recording.decide, command(), given(*first)), "activity_already_recorded")


@pytest.mark.parametrize(
    ("held_at", "rule"),
    [
        (NOW + timedelta(hours=1), "held_in_future"),
        (NOW.replace(year=2020), "held_before_program_start"),
    ],
)
def test_field_time_rules_apply(held_at: Any, rule: str) -> None:
    then_refused(when(recording.decide, command(held_at=held_at), given()), rule)


def body(**changes: Any) -> GroupActivityRequest:
    data = dict(GroupActivityRequest.model_json_schema()["examples"][0])
    return GroupActivityRequest.model_validate({**data, **changes})


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"kind": "karaoke"}, "kind"),
        ({"region": "atlantis"}, "region"),
        ({"headcounts": [{"sex": "woman", "age_group": "youth", "count": 0}]}, "at least 1"),
        ({"headcounts": [{"sex": "woman", "age_group": "youth", "count": 1}] * 2}, "at most once"),
        ({"headcounts": [{"sex": "woman", "age_group": "youth", "count": "3"}]}, "count"),
        ({"headcounts": [{"sex": "x", "age_group": "youth", "count": 3}]}, "sex"),
        ({"headcounts": [{"sex": "man", "age_group": "elders", "count": 3}]}, "age_group"),
        ({"participant_ids": [str(ACTIVITY)]}, "participant_ids"),
        ({"held_at": "1850-01-01T00:00:00Z"}, "held_at"),
    ],
)
def test_the_request_refuses_what_the_event_would(changes: dict[str, Any], where: str) -> None:
    with pytest.raises(ValidationError, match=where):
        body(**changes)


def test_the_example_and_occurred_at_are_accepted() -> None:
    example = body()
    data = example.model_dump(mode="json", exclude={"held_at"})
    moment = GroupActivityRequest.model_validate({**data, "occurred_at": "2022-08-20T15:00:00Z"})

    assert moment.held_at == example.held_at
    assert sum(cell.count for cell in moment.cells()) == 85


async def test_the_service_layer_appends_and_audits_the_activity() -> None:
    memory = InMemory()

    answer = await recorded(
        memory.ports, body(activity_id=str(ACTIVITY), held_at=None), CASEWORKER, NOW
    )

    assert isinstance(answer, ActivityRecorded)
    assert answer.json()["total"] == 85
    assert memory.audit.actions == [("cw-1", "group_activity.record", f"group_activity:{ACTIVITY}")]
    with pytest.raises(Refused, match="already recorded"):
        await recorded(memory.ports, body(activity_id=str(ACTIVITY)), CASEWORKER, NOW)


async def test_a_late_activity_is_a_supervisors_entry_audited_as_late() -> None:
    late = (NOW - timedelta(days=20)).isoformat()
    memory = InMemory()

    with pytest.raises(Refused, match="supervisor"):
        await recorded(memory.ports, body(held_at=late), CASEWORKER, NOW)
    await recorded(memory.ports, body(held_at=late), SUPERVISOR, NOW)

    assert memory.audit.purposes == [f"late_entry occurred_at={late[:19]}Z"]


def test_the_field_form_asks_a_count_per_sex_and_age_group_as_the_api_bounds_it() -> None:
    form = FORMS[FormKind.GROUP_ACTIVITY]
    questions = form.questions()

    assert questions["count_woman_youth"].constraint == ". >= 0 and . <= 1000000"
    assert len([n for n in questions if n.startswith("count_")]) == 21
    assert questions["counts_checked"].constraint.endswith(">= 1")
    assert [c.code for c in choices(form.lists["kind"])][:2] == ["fair", "talk"]


def test_a_submission_s_answers_become_the_request_and_one_id_per_submission() -> None:
    answers = typed(FORMS[FormKind.GROUP_ACTIVITY], {
        "region": "tumbes", "kind": "talk", "count_woman_youth": "4", "count_man_adults": "0",
        "counts_checked": "OK",
    })  # fmt: skip

    held = group_activity(answers, NOW, activity_id("uuid:abc"))

    assert [(c.sex, c.age_group, c.count) for c in held.headcounts] == [("woman", "youth", 4)]
    assert held.activity_id == activity_id("uuid:abc") != activity_id("uuid:abd")
    with pytest.raises(Refused, match="total must be at least 1"):
        group_activity({**answers, "count_woman_youth": 0}, NOW)
