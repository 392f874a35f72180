"""Ids are UUIDv7: standard UUIDs that sort in the order they were made."""

from __future__ import annotations

import uuid

from eventkit.ids import new_id
from tests.support.store import new_event


def test_new_ids_are_version_7_and_sort_in_the_order_they_were_made() -> None:
    made = [new_id() for _ in range(5_000)]
    assert all(isinstance(i, uuid.UUID) and i.version == 7 for i in made)
    assert made == sorted(made)
    assert sorted(map(str, made)) == [str(i) for i in made]  # as text too (stream ids)
    assert len(set(made)) == len(made)


def test_events_get_time_ordered_ids_unless_given_one() -> None:
    first, second = (new_event("participant.registered", {}).event_id for _ in "ab")
    assert first.version == second.version == 7
    assert first < second
