"""Figures as recorded by a day: only the facts recorded by then, whatever arrived since."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import orjson

from contracts.event import Event
from services.indicators.attainment import Filters, figures
from services.indicators.facts import Act, facts_from
from services.indicators.logframe import load_directory
from services.indicators.recorded import Entry, as_recorded_by, decode, recorded_before
from tests.unit.indicators.builders import message, numbered, registered

Y2 = load_directory()["pana_peru_y2_v1"]
HEALTH = "OE2.5"


def entries(*recorded: tuple[str, Event]) -> list[Entry]:
    """Each event's facts, recorded on the Lima day given (an hour before its end)."""
    found = []
    for day, event in recorded:
        ((event_id, _),) = numbered(event)
        when = recorded_before(date.fromisoformat(day), Y2.zone) - timedelta(hours=1)
        found += [Entry(f, when) for f in facts_from(Y2, event_id, event)]
    return found


def months(log: list[Entry], by: str) -> dict[str, int]:
    ledger = as_recorded_by(log, recorded_before(date.fromisoformat(by), Y2.zone))
    health = next(i for i in figures(Y2, ledger, Filters()).indicators if i.id == HEALTH)
    return {m.month: int(m.new) for m in health.months if m.new}


def test_a_late_entry_changes_today_and_leaves_the_month_as_recorded_before_it() -> None:
    log = entries(
        ("2022-09-01", registered(1)), ("2022-09-01", registered(2)),
        ("2022-10-02", message(1, day="2022-09-15")),
        ("2022-11-20", message(2, day="2022-09-20")),  # late: September, entered in November
    )  # fmt: skip
    assert months(log, "2022-10-31") == {"2022-09": 1}
    assert months(log, "2022-11-19") == {"2022-09": 1}
    assert months(log, "2022-11-20") == {"2022-09": 2}
    assert months(log, "2023-08-31") == {"2022-09": 2}


def test_an_act_replaced_by_an_earlier_late_one_is_still_the_act_as_recorded_before() -> None:
    first = Act(HEALTH, 0, "k", "s", "p", datetime(2022, 10, 10, tzinfo=UTC), "piura", "b")
    earlier = first._replace(occurred_at=datetime(2022, 9, 10, tzinfo=UTC), event_id="a")
    log = [
        Entry(first, datetime(2022, 10, 11, tzinfo=UTC)),
        Entry(earlier, datetime(2022, 11, 2, tzinfo=UTC)),
    ]
    assert list(as_recorded_by(log, datetime(2022, 11, 1, tzinfo=UTC)).acts.values()) == [first]
    assert list(as_recorded_by(log, datetime(2022, 11, 3, tzinfo=UTC)).acts.values()) == [earlier]


def test_a_day_ends_at_the_next_local_midnight() -> None:
    assert recorded_before(date(2022, 11, 19), Y2.zone) == datetime(2022, 11, 20, 5, tzinfo=UTC)


def test_a_logged_fact_reads_back_as_it_was_written() -> None:
    ((event_id, event),) = numbered(message(1))
    for fact in facts_from(Y2, event_id, event):
        kind = {"Act": "act", "AttributeSet": "attribute"}[type(fact).__name__]
        assert decode(kind, orjson.loads(orjson.dumps(fact, default=tuple))) == fact
